"""The medications panel inside the registration app's patient chart."""

import pytest
from django.urls import reverse

from tests.medications.factories import MedicationOrderFactory
from tests.registration.factories import AllergyFactory

pytestmark = pytest.mark.django_db


def test_the_chart_shows_active_orders_to_clinicians_only(client, make_user):
    order = MedicationOrderFactory()
    url = reverse("registration:patient-chart", args=[order.patient.pk])
    client.force_login(make_user("Clinician"))
    body = client.get(url).content.decode()
    assert 'id="chart-medications"' in body
    assert order.medication.name in body
    client.force_login(make_user("Billing"))
    body = client.get(url).content.decode()
    assert 'id="chart-medications"' not in body
    assert order.medication.name not in body


def test_allergies_recorded_at_registration_are_what_orders_check(make_user):
    from medications.allergies import active_allergy_substances

    order = MedicationOrderFactory()
    AllergyFactory(patient=order.patient, substance="Penicillin")
    AllergyFactory(patient=order.patient, substance="Latex", status="inactive")
    assert active_allergy_substances(order.patient) == ["Penicillin"]
