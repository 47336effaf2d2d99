"""An administrator copies the no-show follow-up starter, dry-runs it, switches it
on, and the next no-show gives the front desk its task — in a real browser."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import StaffAlert
from automations.models import Automation, AutomationRun
from automations.sweepers import automations_sweep
from scheduling import services as scheduling
from tests.clinic.factories import PASSWORD
from tests.registration.factories import PatientFactory, PayerFactory
from tests.scheduling.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
    local,
    next_weekday,
    reach_visit,
    weekly_hours,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_copies_the_no_show_starter_dry_runs_it_and_switches_it_on(
    page, make_user
):
    admin = make_user("Administrator", username="boss")
    location = LocationFactory(code="main")
    provider = ProviderFactory(name="Dr Ada Quill")
    weekly_hours(provider, location)
    visit = AppointmentTypeFactory(name="Follow-up visit")
    PayerFactory(name="Acme Health")
    earlier = PatientFactory(given_name="Rosa", family_name="Marchetti")
    later = PatientFactory(given_name="Ivo", family_name="Brandt")

    def no_show(patient, hour):
        appointment = scheduling.appointment_book(
            patient=patient,
            appointment_type=visit,
            provider=provider,
            location=location,
            start=local(next_weekday(), hour),
            actor=admin,
        )
        appointment = reach_visit(appointment, minutes_ago=30)
        scheduling.appointment_mark_no_show(appointment=appointment, actor=admin)

    no_show(earlier, 9)  # in the event log before the automation exists
    automations_sweep(timezone.now() + timedelta(minutes=1))

    page.goto(page.base_url + "/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Automations"
    ).click()
    page.get_by_role("link", name="Starter library").click()
    page.get_by_role("button", name="Copy No-show follow-up").click()
    page.wait_for_load_state()
    assert "Copied “No-show follow-up”" in page.content()
    automation = Automation.objects.get(starter="no-show-follow-up")
    assert automation.enabled is False

    # htmx: choosing another fact redraws the condition form with its values.
    page.get_by_label("Fact").select_option(label="Payer")
    page.get_by_text("Acme Health").wait_for()

    page.get_by_role("link", name="Dry run (last 30 days)").click()
    page.wait_for_load_state()
    assert page.locator("#dry-run-matched").inner_text() == "1"
    rows = page.locator("#dry-run-rows").inner_text()
    assert "Call Rosa Marchetti" in rows and "Front desk" in rows
    assert not StaffAlert.objects.filter(kind="task").exists()  # nothing was made

    page.go_back()
    page.get_by_role("button", name="Switch on").click()
    page.wait_for_load_state()
    assert page.locator("#automation-state").inner_text() == "On"

    no_show(later, 10)
    automations_sweep(timezone.now() + timedelta(minutes=1))
    task = StaffAlert.objects.get(kind="task")
    assert task.title.startswith("Call Ivo Brandt")
    assert (task.assigned_role, task.patient) == ("Front desk", later)
    assert task.due_at is not None
    assert AutomationRun.objects.get().status == "done"

    page.get_by_role("link", name="Runs").click()
    page.wait_for_load_state()
    assert "Brandt, Ivo" in page.locator("#run-table").inner_text()
    assert page.console_errors == []
