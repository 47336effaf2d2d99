"""Reminder texts and the replies to them, for the tests of what a reply does."""

from datetime import timedelta

from alerts import outbox
from alerts.models import Notification
from alerts.replies import inbound_sms_handle
from scheduling import services as scheduling
from tests.scheduling.factories import local, next_weekday


def book(clinic, patient, hour, minute=0, provider=None):
    return scheduling.appointment_book(
        patient=patient,
        appointment_type=clinic["type"],
        provider=provider or clinic["provider"],
        location=clinic["location"],
        start=local(next_weekday(), hour, minute),
        actor=None,
    )


def send_reminders_of(visit) -> None:
    """The clock reaches the first reminder of ``visit``'s day."""
    first = (
        Notification.objects.filter(appointment__start__date=visit.start.date())
        .order_by("scheduled_for")
        .first()
    )
    outbox.notifications_send_due(now=first.scheduled_for + timedelta(minutes=1))


def reply(body, sender, sid):
    return inbound_sms_handle(
        provider_id=sid,
        from_number=sender,
        to_number="+15005550006",
        body=body,
        clinic="Main Street Clinic",
    )
