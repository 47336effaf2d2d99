"""A service's refusal on a MAR form page stays on the form, with what was typed
(clinic.edges.ServiceFormMixin); a duplicate therapy lands on its confirm box."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from medications.models import MedicationOrder, ScheduledDose
from tests.medications.factories import MedicationFactory, MedicationOrderFactory
from tests.scheduling.factories import LocationFactory

pytestmark = pytest.mark.django_db


def test_a_duplicate_order_asks_for_confirmation_on_its_box_and_keeps_the_input(
    client, make_user
):
    medication = MedicationFactory(
        name="Amoxicillin", strength=Decimal("500"), unit="mg", routes=["PO"]
    )
    first = MedicationOrderFactory(medication=medication, status="active")
    location = LocationFactory(code="unit2")
    client.force_login(make_user("Clinician"))
    url = reverse("medications:order-create", args=[first.patient_id])
    data = {
        "medication": medication.pk,
        "location": location.pk,
        "dose": "500",
        "dose_unit": "mg",
        "route": "PO",
        "frequency": "once",
        "indication": "Otitis media, second course",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["confirm_duplicate"]
    assert errors["confirm_duplicate"][0].startswith("Duplicate therapy:")
    assert 'value="Otitis media, second course"' in response.content.decode()
    assert MedicationOrder.objects.filter(patient=first.patient).count() == 1

    confirmed = client.post(url, {**data, "confirm_duplicate": "on"})
    assert confirmed.status_code == 302
    assert MedicationOrder.objects.filter(patient=first.patient).count() == 2


def test_holding_a_dose_already_given_is_refused_on_the_form(client, make_user):
    order = MedicationOrderFactory()
    dose = ScheduledDose.objects.create(
        order=order, due_at=timezone.now(), status=ScheduledDose.Status.REFUSED
    )
    client.force_login(make_user("Nurse"))
    response = client.post(
        reverse("medications:dose-status", args=[dose.pk]),
        {"action": "hold", "reason": "BP 82/50, doctor told"},
    )
    assert response.status_code == 200
    [error] = response.context["form"].non_field_errors()
    assert "cannot be charted again" in error
    assert "BP 82/50, doctor told" in response.content.decode()
    dose.refresh_from_db()
    assert dose.status == ScheduledDose.Status.REFUSED
