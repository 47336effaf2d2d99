"""Issue #18: a front-desk task from the inbox to its resolution, in a real
browser: a patient texts "R" (call me back); the front desk opens the task from the
inbox, lands on the patient's messages with the number to call, calls, and
resolves the task with what was done."""

import re

import pytest

from alerts.models import StaffAlert
from alerts.replies import inbound_sms_handle
from tests.clinic.factories import PASSWORD
from tests.registration.factories import PatientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_front_desk_takes_a_call_back_from_inbox_to_resolved(page, make_user):
    make_user("Front desk", username="fran", first_name="Fran", last_name="Desk")
    patient = PatientFactory(
        given_name="Rosa",
        family_name="Marchetti",
        phone_mobile="+15551239876",
        sms_consent=True,
        sms_consent_method="verbal",
    )
    inbound_sms_handle(
        provider_id="SM-callback-1",
        from_number="+15551239876",
        to_number="+15550001111",
        body="R",
        clinic="ClinicOps Demo Clinic",
    )
    alert = StaffAlert.objects.get(kind="callback_request")

    page.goto(page.base_url + "/login/")
    page.get_by_label("Username").fill("fran")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name=re.compile(r"^Alerts \d+$")
    ).click()

    row = page.locator(f"#alert-{alert.pk}")
    assert row.get_by_role("link", name="+15551239876").get_attribute("href") == (
        "tel:+15551239876"
    )
    row.get_by_role("link", name="Open").click()
    page.wait_for_load_state()
    assert f"/patients/{patient.pk}/" in page.url and page.url.endswith(
        "#panel-messages"
    )
    messages = page.locator("#chart-messages")
    assert "R" in messages.inner_text()
    assert "Marchetti" in page.locator("#patient-banner").inner_text()

    page.go_back()
    page.locator(f"#alert-{alert.pk}").get_by_role("link", name="Resolve").click()
    page.get_by_label("What was done").fill("Called back at 10:05; booked Tuesday.")
    page.get_by_role("button", name="Resolve").click()
    page.wait_for_load_state()
    assert "Resolved:" in page.locator(".alert-success, .alert").first.inner_text()
    assert page.locator(f"#alert-{alert.pk}").count() == 0
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert alert.note == "Called back at 10:05; booked Tuesday."
    assert page.console_errors == []
