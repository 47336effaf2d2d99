"""The unit MAR's patient links, and where a new order's doses land: the patient's
unit, under labels that say which unit is which."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from medications.models import MedicationOrder, ScheduledDose
from medications.selectors import patient_care_unit
from tests.medications.factories import MedicationOrderFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import AppointmentFactory, LocationFactory

pytestmark = pytest.mark.django_db


def test_every_patient_link_on_the_unit_mar_opens_that_patients_mar(client, make_user):
    unit = LocationFactory(code="infusion", name="Infusion Unit", kind="infusion")
    orders = [MedicationOrderFactory(location=unit) for _ in range(3)]
    for order in orders:
        ScheduledDose.objects.create(order=order, due_at=timezone.now())
    client.force_login(make_user("Nurse"))
    body = client.get(reverse("medications:mar"), {"location": unit.pk}).content
    links = re.findall(r'<th scope="row"[^>]*><a href="([^"]+)"', body.decode())
    assert sorted(links) == sorted(
        reverse("medications:patient-mar", kwargs={"patient_pk": o.patient_id})
        for o in orders
    )
    for link in links:
        page = client.get(link)
        assert page.status_code == 200, link
        assert page.context["patient"].pk in {o.patient_id for o in orders}


@pytest.fixture
def clinician(make_user):
    user = make_user("Clinician")
    user.profile.default_location = LocationFactory(code="clinic", name="Clinic A")
    user.profile.save()
    return user


def _initial_unit(client, user, patient):
    client.force_login(user)
    response = client.get(
        reverse("medications:order-create", kwargs={"patient_pk": patient.pk})
    )
    assert response.status_code == 200
    return response.context["form"].initial["location"], response.content.decode()


def test_a_new_order_defaults_to_the_unit_where_the_patient_is_on_the_mar(
    client, clinician
):
    unit = LocationFactory(code="infusion", name="Infusion Unit", kind="infusion")
    order = MedicationOrderFactory(location=unit)
    AppointmentFactory(
        patient=order.patient,
        location=LocationFactory(code="other", name="Other"),
        start=timezone.now() + timedelta(minutes=30),
    )
    initial, body = _initial_unit(client, clinician, order.patient)
    assert initial == unit.pk
    assert re.search(r">\s*Care unit", body) and re.search(r">\s*Dose unit", body)
    assert not re.search(r">\s*Unit\s*<", body)  # no two boxes both called "Unit"


@pytest.mark.usefixtures("clinic_midday")
def test_without_an_active_order_it_defaults_to_todays_visit_location(
    client, clinician
):
    patient = PatientFactory()
    MedicationOrderFactory(
        patient=patient,
        location=LocationFactory(code="old", name="Old unit"),
        status=MedicationOrder.Status.DISCONTINUED,
    )
    short_stay = LocationFactory(code="short", name="Short stay")
    AppointmentFactory(
        patient=patient,
        location=short_stay,
        start=timezone.now() - timedelta(minutes=10),
        status="arrived",
    )
    initial, _body = _initial_unit(client, clinician, patient)
    assert initial == short_stay.pk


def test_a_patient_with_no_unit_falls_back_to_the_clinicians_location(
    client, clinician
):
    patient = PatientFactory()
    assert patient_care_unit(patient=patient) is None
    initial, _body = _initial_unit(client, clinician, patient)
    assert initial == clinician.profile.default_location_id


def test_the_care_unit_costs_two_queries_at_most(django_assert_max_num_queries):
    patient = PatientFactory()
    AppointmentFactory(patient=patient, start=timezone.now())
    with django_assert_max_num_queries(2):
        unit = patient_care_unit(patient=patient)
    assert unit is not None
