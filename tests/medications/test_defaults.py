"""Defaults a person expects on the MAR pages (issue #18): the unit the MAR opens
on, quantities without trailing zeros, buttons that say what they do."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from medications.models import ScheduledDose
from tests.medications.factories import MedicationFactory, MedicationOrderFactory
from tests.scheduling.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    """An outpatient floor nobody is on, and the infusion unit with one patient
    (the empty floor sorts first)."""
    floor = LocationFactory(code="floor-a", name="A Floor", kind="clinic")
    infusion = LocationFactory(code="infusion", name="Infusion Unit", kind="infusion")
    order = MedicationOrderFactory(
        location=infusion, patient__family_name="Okafor", dose=Decimal("6.500")
    )
    return floor, infusion, order


def _opened_on(client, user):
    client.force_login(user)
    response = client.get(reverse("medications:mar"))
    assert response.status_code == 200
    return response.context["location"]


@pytest.mark.parametrize("role", ["Clinician", "Administrator"])
def test_the_mar_opens_on_the_unit_with_patients_not_the_users_empty_one(
    client, make_user, units, role
):
    floor, infusion, _order = units
    user = make_user(role)
    user.profile.default_location = floor
    user.profile.save()
    assert _opened_on(client, user) == infusion


def test_a_user_without_a_unit_gets_the_first_unit_with_patients(
    client, make_user, units
):
    _floor, infusion, _order = units
    assert _opened_on(client, make_user("Administrator")) == infusion


def test_a_nurse_whose_unit_has_patients_stays_on_it(client, make_user, units):
    floor, _infusion, order = units
    MedicationOrderFactory(location=floor, patient__family_name="Abel")
    nurse = make_user("Nurse")
    nurse.profile.default_location = floor
    nurse.profile.save()
    assert _opened_on(client, nurse) == floor


def test_with_no_patient_anywhere_the_users_own_unit_is_shown(client, make_user):
    floor = LocationFactory(code="floor-b", name="B Floor", kind="clinic")
    LocationFactory(code="infusion", name="Infusion Unit", kind="infusion")
    nurse = make_user("Nurse")
    nurse.profile.default_location = floor
    nurse.profile.save()
    assert _opened_on(client, nurse) == floor


def test_a_unit_chosen_in_the_filter_wins_even_when_empty(client, make_user, units):
    floor, _infusion, _order = units
    client.force_login(make_user("Nurse"))
    response = client.get(reverse("medications:mar"), {"location": floor.pk})
    assert response.context["location"] == floor


def test_doses_show_without_trailing_zeros_and_buttons_are_verbs(
    client, make_user, units
):
    _floor, _infusion, order = units
    order.medication = MedicationFactory(name="Ondansetron", strength=Decimal("4"))
    order.dose_unit = "mg"
    order.save()
    ScheduledDose.objects.create(order=order, due_at=timezone.now())
    client.force_login(make_user("Nurse"))
    page = client.get(
        reverse("medications:patient-mar", kwargs={"patient_pk": order.patient_id})
    ).content.decode()
    assert "6.5 mg" in page and "6.500" not in page
    assert "Give dose" in page and "Hold / refuse" in page


def test_the_home_panel_of_a_nurse_whose_unit_is_empty_counts_every_unit(
    client, make_user, units
):
    floor, _infusion, order = units
    ScheduledDose.objects.create(order=order, due_at=timezone.now())
    nurse = make_user("Nurse")
    nurse.profile.default_location = floor
    nurse.profile.save()
    client.force_login(nurse)
    html = client.get(reverse("clinic:home")).content.decode()
    assert "Every unit" in html and "Due now 1</span>" in html
    assert f"?location={floor.pk}" not in html
