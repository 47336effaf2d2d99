"""The front desk in a real browser: tomorrow's visit cannot be checked in; a
mistaken no-show is undone with a reason."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import StaffAlert
from scheduling import services
from scheduling.models import Appointment
from tests.clinic.factories import PASSWORD
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import AppointmentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_front_desk_undoes_a_no_show_and_cannot_check_in_tomorrow(page, make_user):
    desk = make_user("Front desk", username="desk")
    tomorrow = AppointmentFactory(start=timezone.now() + timedelta(days=1))
    missed = AppointmentFactory(
        start=timezone.now() - timedelta(minutes=40),
        patient=PatientFactory(given_name="Rosa", family_name="Marchetti"),
    )
    services.appointment_mark_no_show(appointment=missed, actor=desk)

    page.goto(page.base_url + "/")
    page.get_by_label("Username").fill("desk")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    page.goto(f"{page.base_url}/schedule/appointments/{tomorrow.pk}/")
    check_in = page.get_by_role("button", name="Check in")
    assert check_in.is_disabled()
    assert "it opens at" in page.locator("#visit-window").inner_text()

    page.goto(f"{page.base_url}/schedule/appointments/{missed.pk}/")
    assert page.locator("#appointment-status").inner_text() == "No-show"
    page.get_by_role("link", name="Undo no-show").click()
    page.get_by_label("Reason").fill("She was in the waiting room")
    page.get_by_role("button", name="Undo").click()
    page.wait_for_load_state()
    assert page.locator("#appointment-status").inner_text() == "Scheduled"
    assert "She was in the waiting room" in page.locator("#status-reason").inner_text()
    missed.refresh_from_db()
    assert missed.status == Appointment.Status.SCHEDULED
    assert StaffAlert.objects.get().status == "resolved"
    assert page.console_errors == [], "no CSP violation or script error"
