"""The outbox: reminders are rows written with the booking, once per visit time."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts import outbox
from alerts.models import Notification
from alerts.services import RULE_OFF, notification_create
from automations.reminders.editing import rule_automation
from automations.reminders.sync import reminders_sync
from scheduling.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from tests.alerts.factories import (
    ReminderRuleFactory,
    ReminderVariantFactory,
    rule_save,
)
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
    local,
    next_weekday,
    weekly_hours,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit_setup(db):
    location = LocationFactory(code="main", name="Main Street")
    provider = ProviderFactory(name="Dr Adams")
    weekly_hours(provider, location)
    kind = AppointmentTypeFactory(name="Follow-up", duration_minutes=30)
    patient = PatientFactory(
        given_name="Rosa",
        phone_mobile="+15551230001",
        sms_consent=True,
        sms_consent_method="verbal",
    )
    return {
        "location": location,
        "provider": provider,
        "appointment_type": kind,
        "patient": patient,
    }


def _book(setup, start, actor=None):
    return appointment_book(start=start, actor=actor, **setup)


def test_booking_writes_one_pending_reminder_per_rule_in_the_same_transaction(
    visit_setup,
):
    day_before = ReminderRuleFactory(hours_before=24)
    two_hours = ReminderRuleFactory(hours_before=2)
    start = local(next_weekday(), 10)
    appointment = _book(visit_setup, start)
    rows = Notification.objects.filter(appointment=appointment).order_by("rule_id")
    assert [(r.rule, r.scheduled_for, r.status) for r in rows] == [
        (day_before, start - timedelta(hours=24), "pending"),
        (two_hours, start - timedelta(hours=2), "pending"),
    ]
    first = rows[0]
    assert first.address == "+15551230001"
    assert first.channel == "sms"
    assert first.body.startswith("Hi Rosa, see you ")
    assert "Reply C to confirm" in first.body


def test_a_failed_booking_leaves_no_reminder(visit_setup):
    ReminderRuleFactory(hours_before=24)
    start = local(next_weekday(), 10)
    with pytest.raises(RuntimeError), transaction.atomic():
        _book(visit_setup, start)
        raise RuntimeError("the booking's transaction rolls back")
    assert Notification.objects.count() == 0


def test_a_rule_for_other_types_does_not_apply(visit_setup):
    ReminderRuleFactory(
        hours_before=24, appointment_types=[AppointmentTypeFactory(name="Infusion")]
    )
    appointment = _book(visit_setup, local(next_weekday(), 10))
    assert appointment.notifications.count() == 0


def test_reschedule_cancels_the_old_reminders_and_makes_new_ones(visit_setup):
    rule = ReminderRuleFactory(hours_before=24)
    start = local(next_weekday(), 10)
    appointment = _book(visit_setup, start)
    later = start + timedelta(days=1, hours=2)
    appointment_reschedule(appointment=appointment, start=later, actor=None)
    rows = appointment.notifications.order_by("id")
    assert [(r.status, r.appointment_start) for r in rows] == [
        ("cancelled", start),
        ("pending", later),
    ]
    assert rows[0].last_error == "visit moved"
    assert rows[1].rule == rule


def test_moving_back_reopens_the_same_reminder_never_a_second_copy(visit_setup):
    ReminderRuleFactory(hours_before=24)
    start = local(next_weekday(), 10)
    appointment = _book(visit_setup, start)
    appointment_reschedule(
        appointment=appointment, start=start + timedelta(hours=3), actor=None
    )
    appointment_reschedule(appointment=appointment, start=start, actor=None)
    rows = appointment.notifications.order_by("id")
    assert [(r.status, r.appointment_start) for r in rows] == [
        ("pending", start),
        ("cancelled", start + timedelta(hours=3)),
    ]


def test_cancelling_the_visit_cancels_its_pending_reminders(visit_setup):
    ReminderRuleFactory(hours_before=24)
    ReminderRuleFactory(hours_before=2)
    appointment = _book(visit_setup, local(next_weekday(), 10))
    appointment_cancel(
        appointment=appointment, reason="Patient is travelling", actor=None
    )
    assert set(appointment.notifications.values_list("status", flat=True)) == {
        "cancelled"
    }


def test_the_database_refuses_a_second_copy_of_a_reminder(visit_setup):
    rule = ReminderRuleFactory(hours_before=24)
    appointment = _book(visit_setup, local(next_weekday(), 10))
    row = appointment.notifications.get()
    duplicate = Notification(
        patient=row.patient,
        appointment=appointment,
        appointment_start=appointment.start,
        rule=rule,
        channel="sms",
        body="again",
        scheduled_for=row.scheduled_for,
        due_at=row.due_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_syncing_twice_makes_nothing_new(visit_setup):
    ReminderRuleFactory(hours_before=24)
    appointment = _book(visit_setup, local(next_weekday(), 10))
    reminders_sync(appointment=appointment)
    reminders_sync(appointment=appointment)
    assert appointment.notifications.count() == 1


def test_the_reminder_is_in_the_patients_language(visit_setup):
    rule = ReminderRuleFactory(hours_before=24)
    ReminderVariantFactory(rule=rule, language="es")
    patient = visit_setup["patient"]
    patient.preferred_language = "es-MX"
    patient.save()
    appointment = _book(visit_setup, local(next_weekday(), 10))
    body = appointment.notifications.get().body
    assert body.startswith("Hola Rosa, le esperamos el ")
    assert body.endswith("a las 10:00.")


def test_a_reminder_already_past_at_booking_time_is_not_made(visit_setup):
    ReminderRuleFactory(hours_before=72)
    soon = timezone.localtime() + timedelta(hours=30)
    start = soon.replace(minute=0, second=0, microsecond=0)
    if not 8 <= start.hour < 17:
        pytest.skip("the provider works 08:00-17:00")
    appointment = _book(visit_setup, start)
    assert appointment.notifications.count() == 0


def test_notification_create_is_the_outbox_for_other_apps(visit_setup, admin_user):
    patient = visit_setup["patient"]
    patient.email = "rosa@example.org"
    patient.save()
    when = timezone.now() + timedelta(hours=1)
    row = notification_create(
        patient=patient,
        channel="email",
        subject="Your results",
        body="Your results are ready.",
        scheduled_for=when,
        actor=admin_user,
    )
    row.refresh_from_db()
    assert (row.status, row.address, row.due_at, row.created_by) == (
        "pending",
        "rosa@example.org",
        when,
        admin_user,
    )


@pytest.mark.parametrize(
    ("channel", "body", "field"), [("fax", "x", "channel"), ("sms", "  ", "body")]
)
def test_notification_create_refuses_bad_input(visit_setup, channel, body, field):
    with pytest.raises(ValidationError) as info:
        notification_create(
            patient=visit_setup["patient"],
            channel=channel,
            body=body,
            scheduled_for=timezone.now(),
        )
    assert field in info.value.message_dict
    assert Notification.objects.count() == 0


def test_an_edited_rule_rewrites_its_reminders_not_yet_sent(
    visit_setup, admin_user, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_INLINE = True  # the refresh job runs in-process
    rule = ReminderRuleFactory(hours_before=24)
    start = local(next_weekday(), 10)
    waiting = Notification.objects.get(appointment=_book(visit_setup, start))
    other = Notification.objects.get(
        appointment=_book(visit_setup, start + timedelta(hours=1))
    )
    other.status = "sent"  # already out: stays as it went
    other.save()
    with django_capture_on_commit_callbacks(execute=True):
        rule_save(
            rule,
            admin_user,
            body="Dear {first_name}, visit on {date} at {time}.",
            hours_before=48,
        )
    waiting.refresh_from_db()
    assert waiting.body.startswith("Dear Rosa, visit on ")
    assert waiting.scheduled_for == start - timedelta(hours=48)
    assert waiting.status == "pending"
    assert waiting.history.first().history_change_reason == "reminder rule edited"
    other.refresh_from_db()
    assert other.body.startswith("Hi Rosa")
    assert Notification.objects.count() == 2


def test_a_rule_switched_off_cancels_its_reminders_and_on_again_reopens_them(
    visit_setup, admin_user, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_INLINE = True
    rule = ReminderRuleFactory(hours_before=24)
    appointment = _book(visit_setup, local(next_weekday(), 10))
    row = Notification.objects.get(appointment=appointment)
    with django_capture_on_commit_callbacks(execute=True):
        rule_save(rule, admin_user, is_active=False)
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("cancelled", RULE_OFF)
    with django_capture_on_commit_callbacks(execute=True):
        rule_save(rule, admin_user, is_active=True)
    # Switched on, it writes the reminders of visits already booked (a job).
    row.refresh_from_db()
    assert row.status == "pending"
    assert row.history.first().history_change_reason == (
        "reminder rule switched on again"
    )
    assert Notification.objects.filter(appointment=appointment).count() == 1


def test_the_sender_never_sends_a_reminder_of_a_rule_switched_off(
    visit_setup, fake_twilio
):

    rule = ReminderRuleFactory(hours_before=24)
    _book(visit_setup, local(next_weekday(), 10))
    row = Notification.objects.get()
    automation = rule_automation(rule)
    automation.enabled = False
    automation.save()  # switched off without the refresh having run yet
    outbox.notifications_send_due(now=row.scheduled_for + timedelta(minutes=1))
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("cancelled", "reminder rule switched off")
    assert fake_twilio.messages == []


def test_a_new_rule_writes_reminders_for_visits_already_booked(
    visit_setup, admin_user, settings, django_capture_on_commit_callbacks
):
    from alerts.models import ReminderRule

    settings.JOBS_INLINE = True
    appointment = _book(visit_setup, local(next_weekday(), 10))
    assert not Notification.objects.exists()
    rule = ReminderRule(
        name="Day before",
        channel="sms",
        body="Hi {first_name}, see you {date} at {time}.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        rule_save(rule, admin_user)
    row = Notification.objects.get()
    assert (row.appointment, row.rule, row.status) == (appointment, rule, "pending")
