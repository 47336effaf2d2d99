"""The patient uses only the link in the text the fake Twilio received: opens it,
picks a new time and sees the confirmation; the front desk's day view shows the
visit at its new time. In a real browser."""

import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from alerts import outbox as sender
from alerts.models import Notification
from automations.engine.batches import event_process
from automations.models import Event
from automations.services import automation_enable
from automations.starters import BY_SLUG, build_starter
from scheduling.models import Appointment
from tests.alerts.conftest import fake_twilio_server
from tests.e2e.test_reminders import _log_in
from tests.registration.factories import PatientFactory
from tests.selfservice.support import small_clinic, welcome, welcome_on

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
MOBILE = "+16175550142"


@pytest.fixture
def fake_twilio(settings):
    yield from fake_twilio_server(settings)


def test_patient_moves_the_visit_by_link_and_the_front_desk_sees_it(
    page, make_user, fake_twilio, settings
):
    cache.clear()
    settings.SELF_SERVICE_BASE_URL = page.base_url
    admin = make_user("Administrator", username="boss")
    make_user("Front desk", username="desk")
    clinic = small_clinic()
    patient = PatientFactory(
        given_name="Rosa",
        family_name="Marchetti",
        phone_mobile=MOBILE,
        sms_consent=True,
        sms_consent_method="verbal",
    )
    confirmation = build_starter(BY_SLUG["booking-confirmation"], actor=admin)
    automation_enable(automation=confirmation, actor=admin)
    visit = clinic.book(patient)
    event_process(event_id=Event.objects.get(kind="appointment.booked").pk)
    sender.notifications_send_due(now=timezone.now())
    assert Notification.objects.filter(patient=patient).count() == 1
    [text] = fake_twilio.bodies_to(MOBILE)
    link = re.search(r"https?://\S+", text).group(0)

    page.goto(link)
    assert "Hello Rosa" in page.content()
    assert "Marchetti" not in page.content()
    page.locator("#slot-2").check()
    chosen = page.locator("#slot-2").get_attribute("value")
    page.get_by_role("button", name="Move my visit to this time").click()
    page.wait_for_load_state()
    assert "Done: your visit is now on" in page.locator("#link-message").inner_text()
    page.screenshot(path="/tmp/b7/selfservice_moved.png", full_page=True)
    visit.refresh_from_db()
    assert visit.start.isoformat() == chosen
    assert visit.status == Appointment.Status.SCHEDULED
    assert page.console_errors == [], "no CSP violation or script error"

    _log_in(page, "desk")
    day = timezone.localtime(visit.start).date()
    page.goto(f"{page.base_url}/schedule/?date={day:%Y-%m-%d}")
    chip = page.locator(f"#appt-{visit.pk}")
    chip.wait_for()
    start = timezone.localtime(visit.start)
    assert f"{start:%H:%M}" in chip.inner_text()
    assert "Marchetti, Rosa" in chip.inner_text()


def test_new_patient_sends_the_intake_and_the_front_desk_accepts_one_field(
    page, make_user, fake_twilio, settings
):
    cache.clear()
    settings.SELF_SERVICE_BASE_URL = page.base_url
    make_user("Front desk", username="desk")
    patient = PatientFactory(
        given_name="Lena",
        family_name="Okafor",
        city="Boston",
        phone_mobile=MOBILE,
        sms_consent=True,
        sms_consent_method="verbal",
    )
    welcome_on()
    welcome(small_clinic().book(patient))
    sender.notifications_send_due(now=timezone.now())
    [text] = fake_twilio.bodies_to(MOBILE)
    page.goto(re.search(r"https?://\S+", text).group(0))
    page.get_by_label("City").fill("Cambridge")
    page.get_by_label("Allergies, one per line").fill("Penicillin: hives")
    page.get_by_role("button", name="Send my form").click()
    page.wait_for_load_state()
    assert "The clinic has your form" in page.locator("#link-message").inner_text()
    assert page.console_errors == []

    _log_in(page, "desk")
    page.locator("#intakes-to-review").click()
    page.get_by_role("link", name=re.compile("Okafor")).click()
    page.locator("#item-city").get_by_role("button", name="Accept").click()
    page.locator("#item-city .badge").wait_for()
    assert "accepted" in page.locator("#item-city").inner_text()
    page.screenshot(path="/tmp/b7/selfservice_intake_review.png", full_page=True)
    patient.refresh_from_db()
    assert patient.city == "Cambridge"
    assert not patient.allergies.exists()
