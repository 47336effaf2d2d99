"""Reminder rules are automations; the send-message action goes through the outbox."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Notification, ReminderRule
from automations.dryrun import dry_run
from automations.metrics import automation_metrics
from automations.models import Action, Automation, AutomationRun, Condition
from automations.reminders.editing import rule_automation
from automations.reminders.sync import reminders_backfill
from automations.services import automation_disable, automation_enable
from scheduling import services as scheduling
from tests.alerts.factories import (
    ReminderRuleFactory,
    ReminderVariantFactory,
    rule_save,
)
from tests.automations.factories import ActionFactory, AutomationFactory
from tests.registration.factories import PatientFactory, number_texting
from tests.scheduling.factories import (
    local,
    next_weekday,
    reach_visit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def texting_patient(clinic):
    patient = clinic["patient"]
    patient.phone_mobile = "+15551230001"
    patient.sms_consent = True
    patient.sms_consent_method = "verbal"
    patient.preferred_language = "es"
    patient.save()
    number_texting(patient.phone_mobile)
    return patient


def _book(clinic, actor, hour=10, patient=None):
    return scheduling.appointment_book(
        patient=patient or clinic["patient"],
        appointment_type=clinic["type"],
        provider=clinic["provider"],
        location=clinic["location"],
        start=local(next_weekday(), hour),
        actor=actor,
    )


def test_a_rules_timing_and_switch_live_only_on_its_automation(admin_user):
    rule = ReminderRule(name="Two hours", channel="sms", body="Hi")
    rule_save(rule, admin_user, hours_before=2)
    automation = Automation.objects.get()
    assert (automation.offset_minutes, automation.owner) == (-120, admin_user)
    rule_save(rule, admin_user, hours_before=3, is_active=False)
    automation.refresh_from_db()
    assert (automation.offset_minutes, automation.enabled) == (-180, False)
    assert Action.objects.get().message_rule == rule
    assert rule.is_active is False  # asked of the automation
    assert not {"hours_before", "is_active"} & {
        f.name for f in ReminderRule._meta.get_fields()
    }


def test_booking_writes_reminders_only_for_automations_that_are_on_and_match(
    clinic, texting_patient, admin_user
):
    spanish = ReminderVariantFactory(body="Hola {first_name}").rule
    automation = Action.objects.get(message_rule=spanish).automation
    Condition.objects.create(
        automation=automation, field="language", operator="in", values=["es"]
    )
    ReminderRuleFactory(hours_before=2, is_active=False)
    english_only = ReminderRuleFactory(hours_before=48)
    other = Action.objects.get(message_rule=english_only).automation
    Condition.objects.create(
        automation=other, field="language", operator="in", values=["en"]
    )

    appointment = _book(clinic, admin_user)

    rows = list(appointment.notifications.all())
    assert [(r.rule, r.body) for r in rows] == [
        (spanish, f"Hola {texting_patient.given_name}")
    ]
    assert rows[0].scheduled_for == appointment.start - timedelta(hours=24)


def test_switching_a_reminder_off_and_on_in_the_editor(
    clinic, texting_patient, admin_user
):
    rule = ReminderRuleFactory(hours_before=24)
    automation = Action.objects.get(message_rule=rule).automation
    automation_disable(automation=automation, actor=admin_user)
    assert rule.is_active is False
    appointment = _book(clinic, admin_user)
    assert appointment.notifications.count() == 0

    automation_enable(automation=automation, actor=admin_user)
    assert rule.is_active is True
    # Visits booked while it was off get their reminder when it is switched on.
    assert reminders_backfill(automation_id=automation.pk) == 1
    assert appointment.notifications.get().rule == rule


def test_the_sweeper_makes_no_event_for_outbox_reminders(clinic, admin_user, drain):
    ReminderRuleFactory(hours_before=24)
    appointment = _book(clinic, admin_user)
    drain(now=appointment.start - timedelta(hours=23))
    assert not AutomationRun.objects.exists()
    assert appointment.notifications.count() == 1


def test_dry_run_of_a_reminder_uses_the_rule_text_and_quiet_hours(
    clinic, texting_patient, admin_user
):
    rule = ReminderVariantFactory(body="Hola {first_name}").rule
    automation = Action.objects.get(message_rule=rule).automation
    automation_disable(automation=automation, actor=admin_user)
    appointment = _book(clinic, admin_user)
    appointment.start = timezone.now() - timedelta(days=2)
    appointment.booked_at = timezone.now() - timedelta(days=10)
    appointment.save()
    result = dry_run(automation=automation)
    step = result.rows[0].steps[0]
    assert (step.text, step.to) == (
        f"Hola {texting_patient.given_name}",
        "+15551230001",
    )
    assert not Notification.objects.exists()


def test_send_message_action_on_a_no_show_goes_through_the_outbox(
    clinic, texting_patient, admin_user, drain
):
    automation = AutomationFactory(trigger="appointment.no_show")
    ActionFactory(
        automation=automation,
        position=0,
        kind="send_message",
        channel="sms",
        role="",
        title="",
        body="We missed you, {patient}. Reply R and we call you to rebook.",
    )
    appointment = reach_visit(_book(clinic, admin_user), minutes_ago=30)
    scheduling.appointment_mark_no_show(appointment=appointment, actor=admin_user)
    drain()
    message = Notification.objects.get(rule__isnull=True)
    assert message.body == (
        f"We missed you, {texting_patient.given_name}. Reply R and we call you to "
        "rebook."
    )
    assert (message.status, message.address, message.appointment) == (
        "pending",
        "+15551230001",
        appointment,
    )
    assert automation_metrics(automation=automation).messages == 1


def test_a_message_to_a_patient_without_any_address_is_skipped(
    clinic, admin_user, drain
):
    automation = AutomationFactory(trigger="appointment.booked")
    ActionFactory(
        automation=automation, position=0, kind="send_message", channel="sms", body="Hi"
    )
    _book(clinic, admin_user, patient=PatientFactory(phone_mobile="", email=""))
    drain()
    outcome = AutomationRun.objects.get().outcomes.get()
    assert outcome.status == "skipped"
    assert "no mobile number or e-mail" in outcome.detail
    assert not Notification.objects.exists()


def test_changing_the_hours_in_the_editor_is_the_rules_timing(admin_client):
    from django.urls import reverse

    rule = ReminderRuleFactory(hours_before=24, is_active=False)
    automation = Action.objects.get(message_rule=rule).automation
    response = admin_client.post(
        reverse("automations:edit", args=[automation.pk]),
        {
            "name": automation.name,
            "trigger": "appointment.time",
            "match": "all",
            "offset_hours": "48",
            "offset_direction": "before",
        },
    )
    assert response.status_code == 302
    list_page = admin_client.get(reverse("automations:rule-list")).content.decode()
    assert "48 hours" in list_page
    assert rule_automation(rule).offset_minutes == -48 * 60


MALFORMED = [
    ("Hi {patient.__class__}", "{patient.__class__} is not allowed"),
    ("Hi {patient[0]}", "{patient[0]} is not allowed"),
    ("Hi {patient!r}", "{patient} is not allowed"),
    ("Hi {patient:>40}", "{patient} is not allowed"),
    ("Hi {patient", "The message is not well formed"),
]


@pytest.mark.parametrize(("body", "message"), MALFORMED)
def test_the_editor_refuses_a_malformed_placeholder_as_reminder_rules_do(
    admin_client, body, message
):
    from django.urls import reverse

    automation = AutomationFactory(trigger="appointment.no_show", enabled=False)
    response = admin_client.post(
        reverse("automations:action-add", args=[automation.pk]),
        {"kind": "send_message", "channel": "sms", "body": body},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not automation.actions.exists()


@pytest.mark.parametrize(("body", "message"), MALFORMED)
def test_a_malformed_text_saved_earlier_is_never_sent_as_typed(
    clinic, texting_patient, admin_user, drain, body, message
):
    automation = AutomationFactory(trigger="appointment.no_show")
    ActionFactory(
        automation=automation,
        position=0,
        kind="send_message",
        channel="sms",
        role="",
        title="",
        body=body,
    )
    from automations.services import automation_problems

    assert any(message in problem for problem in automation_problems(automation))
    appointment = reach_visit(_book(clinic, admin_user), minutes_ago=30)
    scheduling.appointment_mark_no_show(appointment=appointment, actor=admin_user)
    drain()
    assert not Notification.objects.filter(rule__isnull=True).exists()
    outcome = AutomationRun.objects.get(automation=automation).outcomes.get()
    assert outcome.status == "skipped"
    assert message in outcome.detail


def test_a_double_brace_is_a_brace_as_in_reminder_rules(
    clinic, texting_patient, admin_user, drain
):
    automation = AutomationFactory(trigger="appointment.no_show")
    ActionFactory(
        automation=automation,
        position=0,
        kind="send_message",
        channel="sms",
        role="",
        title="",
        body="{{patient}} is {patient}",
    )
    appointment = reach_visit(_book(clinic, admin_user), minutes_ago=30)
    scheduling.appointment_mark_no_show(appointment=appointment, actor=admin_user)
    drain()
    message = Notification.objects.get(rule__isnull=True)
    assert message.body == f"{{patient}} is {texting_patient.given_name}"
