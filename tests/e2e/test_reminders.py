"""An administrator writes a reminder rule and previews it; the reminder goes out
through the fake Twilio, the patient answers "C", and the front desk's day view
shows the visit confirmed. In a real browser."""

import re
from datetime import time

import pytest
from django.core.cache import cache
from django.utils import timezone

from alerts import outbox as sender
from alerts.models import Notification, ReminderRule
from automations.reminders.editing import automation_type_ids, rule_automation
from scheduling.models import AvailabilityRule
from scheduling.services import appointment_book
from tests.alerts.conftest import AUTH_TOKEN, fake_twilio_server
from tests.clinic.factories import PASSWORD
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
    local,
    next_weekday,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fake_twilio(settings):
    yield from fake_twilio_server(settings)


def _log_in(page, username):
    page.goto(page.base_url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_admin_writes_a_rule_patient_replies_c_front_desk_sees_confirmed(
    page, make_user, fake_twilio
):
    cache.clear()
    make_user("Administrator", username="boss")
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
    visit_type = AppointmentTypeFactory(name="Follow-up visit", duration_minutes=15)
    patient = PatientFactory(
        given_name="Rosa",
        family_name="Marchetti",
        phone_mobile="+15551239876",
        sms_consent=True,
        sms_consent_method="verbal",
    )

    _log_in(page, "boss")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name=re.compile(r"^Alerts \d+$")
    ).click()
    page.get_by_role("link", name="Reminder rules").click()
    page.get_by_role("link", name="New rule").click()
    page.get_by_label("Name").fill("Day before")
    page.get_by_label("Follow-up visit").check()
    page.get_by_label("Hours before the visit").fill("24")
    page.locator("#id_body").fill(
        "Hi {first_name}, your {appointment_type} is {weekday} at {time}. "
        "{reply_instructions}"
    )
    page.get_by_role("button", name="Preview", exact=True).click()
    preview = page.locator("#preview-text")
    preview.wait_for()
    assert preview.inner_text().startswith("Hi Maria, your Follow-up visit is Tuesday")
    assert page.locator("#preview-segments").inner_text().startswith("1 SMS segment")
    page.get_by_role("button", name="Save rule").click()
    page.wait_for_load_state()
    assert "Day before" in page.locator("#rule-table").inner_text()
    rule = ReminderRule.objects.get()
    assert automation_type_ids(rule_automation(rule)) == [str(visit_type.pk)]

    start = local(next_weekday(), 10)
    appointment = appointment_book(
        patient=patient,
        appointment_type=visit_type,
        provider=provider,
        location=location,
        start=start,
        actor=None,
    )
    reminder = Notification.objects.get(appointment=appointment)
    sender.notifications_send_due(now=reminder.scheduled_for)
    [text] = fake_twilio.bodies_to("+15551239876")
    assert text.startswith("Hi Rosa, your Follow-up visit is ")

    answer = fake_twilio.text_in(
        webhook_url=page.base_url + "/webhooks/twilio/sms/",
        auth_token=AUTH_TOKEN,
        from_="+15551239876",
        body="C",
    )
    assert "is confirmed" in answer
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"

    page.get_by_role("button", name="Log out").click()
    _log_in(page, "desk")
    day = timezone.localtime(appointment.start).date()
    page.goto(f"{page.base_url}/schedule/?date={day:%Y-%m-%d}")
    page.locator(f"#appt-{appointment.pk}[data-status='confirmed']").wait_for()
    assert "Marchetti, Rosa" in page.locator(f"#appt-{appointment.pk}").inner_text()
    assert page.console_errors == [], "no CSP violation or script error"
