"""The front desk finds a slot for a patient, books it, and checks the patient in
from the day view, in a real browser."""

from datetime import time

import pytest
from django.core.cache import cache
from django.utils import timezone

from scheduling.models import Appointment, AvailabilityRule
from tests.clinic.factories import PASSWORD
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_front_desk_finds_a_slot_books_it_and_checks_the_patient_in(page, make_user):
    cache.clear()
    make_user("Front desk", username="desk")
    location = LocationFactory(code="main", name="Main Street Clinic")
    provider = ProviderFactory(name="Dr Ada Quill")
    for weekday in range(7):
        AvailabilityRule.objects.create(
            provider=provider,
            location=location,
            weekday=weekday,
            start_time=time(0),
            end_time=time(23, 45),
        )
    AppointmentTypeFactory(name="Follow-up visit", duration_minutes=15)
    patient = PatientFactory(given_name="Rosa", family_name="Marchetti")

    page.goto(page.base_url + "/")
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Schedule"
    ).click()
    page.get_by_role("link", name="Find a slot").click()
    page.get_by_label("Patient MRN").fill(patient.mrn)
    page.get_by_label("Appointment type").select_option(label="Follow-up visit")
    page.get_by_role("button", name="Find free times").click()
    page.wait_for_load_state()
    first = page.locator("#slot-list tbody tr").first
    assert "Dr Ada Quill" in first.inner_text()
    first.get_by_role("link", name="Choose").click()
    page.wait_for_load_state()
    assert page.get_by_label("Patient MRN").input_value() == patient.mrn
    page.get_by_label("Notes").fill("Bring the glucose log")
    page.get_by_role("button", name="Book").click()
    page.wait_for_load_state()

    appointment = Appointment.objects.get(patient=patient)
    assert appointment.notes == "Bring the glucose log"
    assert page.locator("#appointment-status").inner_text() == "Scheduled"
    day = timezone.localtime(appointment.start).date()

    page.goto(f"{page.base_url}/schedule/?date={day:%Y-%m-%d}")
    chip = page.locator(f"#appt-{appointment.pk}")
    assert "Marchetti, Rosa" in chip.inner_text()
    chip.get_by_role("button", name="Check in").click()
    page.locator(f"#appt-{appointment.pk}[data-status='arrived']").wait_for()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.ARRIVED
    assert appointment.arrived_by.username == "desk"
    assert page.console_errors == [], "no CSP violation or script error"
