"""A clinician makes a diabetic patient's plan from the starter in a real browser;
the clock moves past the HbA1c due date, and the "overdue diabetic HbA1c" starter
puts the patient on the recall list and texts them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Notification
from automations.models import RecallEntry
from automations.starters import BY_SLUG, build_starter
from automations.sweepers import automations_sweep
from careplans.models import CarePlan
from careplans.sweepers import careplans_sweep
from tests.careplans.factories import catalogue
from tests.e2e.test_reminders import _log_in
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import AppointmentTypeFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_plan_from_a_starter_falls_behind_and_the_patient_is_recalled_and_texted(
    page, make_user
):
    admin = make_user("Administrator", username="boss")
    make_user("Clinician", username="doc")
    AppointmentTypeFactory(name="Follow-up")
    catalogue()
    automation = build_starter(BY_SLUG["diabetic-hba1c-overdue"], actor=admin)
    automation.enabled = True
    automation.enabled_at = timezone.now()
    automation.save()
    patient = PatientFactory(
        given_name="Rosa", sms_consent=True, phone_mobile="+15555550177"
    )

    _log_in(page, "doc")
    page.goto(page.base_url + f"/patients/{patient.pk}/")
    page.locator("#chart-careplans").get_by_role(
        "link", name="Problems and plans"
    ).click()
    page.get_by_label("ICD-10-CM").fill("E11.9")
    page.get_by_label("Condition").fill("Type 2 diabetes mellitus")
    page.get_by_role("button", name="Add to the problem list").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Plan from a starter").click()
    page.get_by_label("Starter").select_option(
        label="Type 2 diabetes: glycaemic control"
    )
    page.get_by_role("button", name="Make the plan").click()
    page.wait_for_load_state()
    assert "Hemoglobin A1c every 3 months" in page.content()
    # A new plan is on track: nothing due or overdue yet.
    assert page.locator("#glance-due").inner_text() == "0"
    assert page.locator("#glance-overdue").inner_text() == "0"
    plan = CarePlan.objects.get(patient=patient)

    # The clock moves past the HbA1c due date (three months and two weeks on).
    later = timezone.now() + timedelta(days=110)
    careplans_sweep(later)
    automations_sweep(later + timedelta(minutes=1))

    entry = RecallEntry.objects.get(patient=patient)
    assert entry.recall_list.name == "Diabetes check due"
    text = Notification.objects.get(patient=patient, body__contains="HbA1c")
    assert text.body.startswith("Hi Rosa,")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    _log_in(page, "boss")
    page.goto(page.base_url + "/automations/recall/")
    assert "Diabetes check due" in page.content()
    page.goto(page.base_url + "/alerts/outbox/")
    assert "your diabetes check (HbA1c blood test) is due" in page.content()
    page.goto(page.base_url + plan.get_absolute_url())
    assert page.locator("tr.activity-overdue").count() == 0  # today: still on track
