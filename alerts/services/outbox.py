"""Writes of the patients' outbox: create, a visit's reminders settled or put,
resend. Which reminders a visit gets is decided by ``automations.reminders``."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.exceptions import (
    NOT_RESENDABLE,
    RESEND_REASON_REQUIRED,
    NotResendable,
)
from alerts.models import Notification
from alerts.services.consent import number_normalise
from clinic.copies import fields_of
from clinic.queueing import enqueue_on_commit

BODY_REQUIRED = _("A message needs a text.")
# The contact permission a reminder to a contact needs (registration's
# ``PatientContact.Permission.REMINDERS``).
REMINDERS = "reminders"
UNKNOWN_CHANNEL = _("Unknown channel %(channel)s: use sms or email.")


def _address_of(recipient, channel: str) -> str:
    """Where a message to a patient or a patient's contact goes (checked again,
    with consent, when it is sent)."""
    if channel == Notification.Channel.SMS:
        return number_normalise(recipient.phone_mobile)
    return recipient.email or ""


def _enqueue_send(notification: Notification) -> None:
    # By path: the job module imports the sender, which raises alerts through here.
    enqueue_on_commit(
        "alerts.jobs.notification_send_job", notification.pk, queue="notifications"
    )


def default_language() -> str:
    """The language of a text that has no variants: the clinic's (LANGUAGE_CODE)."""
    return settings.LANGUAGE_CODE.replace("_", "-").split("-")[0].lower()


def notification_create(
    *,
    patient,
    channel: str,
    body: str,
    scheduled_for: datetime,
    appointment=None,
    rule=None,
    subject: str = "",
    language: str = "",
    contact=None,
    purpose: str = "",
    actor=None,
) -> Notification:
    """A message to a patient is first a pending outbox row, written in the caller's
    transaction; consent and opt-out are checked when it is sent. A reminder (with
    an appointment and a rule) exists once per visit start: asking again returns the
    existing row. ``language``: the one the text is written in (default: the
    clinic's). ``contact``: one of the patient's contacts gets it instead, when
    they hold the permission ``purpose`` names (checked when it is sent)."""
    if channel not in Notification.Channel.values:
        raise ValidationError({"channel": UNKNOWN_CHANNEL % {"channel": channel}})
    if not body.strip():
        raise ValidationError({"body": BODY_REQUIRED})
    if timezone.is_naive(scheduled_for):
        raise ValidationError({"scheduled_for": _("The time needs a time zone.")})
    appointment_start = appointment.start if appointment is not None else None
    key = None
    if appointment is not None and rule is not None:
        key = {"appointment": appointment, "rule": rule, "contact": contact}
        key["appointment_start"] = appointment_start
        existing = Notification.objects.filter(**key).first()
        if existing is not None:
            return existing
    notification = Notification(
        patient=patient,
        contact=contact,
        purpose=purpose,
        appointment=appointment,
        appointment_start=appointment_start,
        rule=rule,
        channel=channel,
        address=_address_of(contact or patient, channel),
        subject=subject[:200],
        body=body.strip(),
        language=language or default_language(),
        email_fallback=rule.email_fallback if rule is not None else True,
        scheduled_for=scheduled_for,
        due_at=scheduled_for,
        created_by=actor,
    )
    notification._change_reason = (
        f"reminder {rule.name}"[:100] if rule is not None else "queued"
    )
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        if key is None:
            raise
        return Notification.objects.get(**key)
    if scheduled_for <= timezone.now():
        _enqueue_send(notification)
    return notification


def _cancel(notification: Notification, reason: str) -> None:
    notification.status = Notification.Status.CANCELLED
    notification.last_error = reason
    notification._change_reason = reason[:100]
    notification.save()


def notifications_cancel(*, ids, reason: str) -> int:
    """Messages whose cause was taken back are cancelled while still pending (one
    already being sent or sent cannot be). Returns how many were cancelled."""
    cancelled = 0
    with transaction.atomic():
        pending = Notification.objects.select_for_update().filter(
            pk__in=list(ids), status=Notification.Status.PENDING
        )
        for row in pending.order_by("pk"):
            _cancel(row, reason)
            cancelled += 1
    return cancelled


RULE_OFF = "reminder rule switched off or no longer for this visit"
CONTACT_OFF = "the contact no longer gets reminders"


def visit_reminders_settle(
    *, appointment, active: bool, applying: set[int], contacts: set[int] = frozenset()
) -> None:
    """A visit's pending reminders that no longer stand are cancelled: every one
    when the visit is no longer expected (``active`` False), those written for an
    old start when it moved, those whose rule no longer applies (switched off,
    conditions no longer met), those to a contact not in ``contacts`` (the
    contacts who get this visit's reminders now). Called in the caller's
    transaction."""
    pending = Notification.objects.select_for_update().filter(
        appointment=appointment,
        rule__isnull=False,
        status=Notification.Status.PENDING,
    )
    for row in pending:
        if not active:
            _cancel(row, f"visit {appointment.get_status_display().lower()}")
        elif row.appointment_start != appointment.start:
            _cancel(row, "visit moved")
        elif row.rule_id not in applying:
            _cancel(row, RULE_OFF)
        elif row.contact_id is not None and row.contact_id not in contacts:
            _cancel(row, CONTACT_OFF)


def visit_reminder_put(
    *,
    appointment,
    rule,
    when: datetime,
    subject: str,
    body: str,
    language: str,
    contact=None,
) -> Notification:
    """A visit's reminder of ``rule`` for its current start. Created, or: the one
    cancelled when the visit moved away from this time and back, or when its rule
    was switched off and on, is reopened (it was never sent); a pending one whose
    rule was edited is rewritten."""
    old = Notification.objects.filter(
        appointment=appointment,
        rule=rule,
        appointment_start=appointment.start,
        contact=contact,
    ).first()
    if (
        old is not None
        and old.status == Notification.Status.CANCELLED
        and old.attempts == 0
    ):
        old._change_reason = (
            "reminder rule switched on again"
            if old.last_error == RULE_OFF
            else "visit moved back to this time"
        )
        old.status = Notification.Status.PENDING
        old.scheduled_for = old.due_at = when
        old.subject, old.body, old.last_error = subject, body, ""
        old.language = language
        old.address = _address_of(contact or appointment.patient, old.channel)
        old.save()
        if when <= timezone.now():
            _enqueue_send(old)
        return old
    if (
        old is not None
        and old.status == Notification.Status.PENDING
        and old.attempts == 0
    ):
        # Only a time still ahead moves (a due row is about to go out).
        moved = old.scheduled_for > timezone.now() and old.scheduled_for != when
        if moved or (old.subject, old.body, old.language) != (subject, body, language):
            if moved:
                old.scheduled_for = old.due_at = when
            old.subject, old.body, old.language = subject, body, language
            old._change_reason = "reminder rule edited"
            old.save()
        return old
    if old is not None:
        return old
    return notification_create(
        patient=appointment.patient,
        channel=rule.channel,
        body=body,
        subject=subject,
        language=language,
        scheduled_for=when,
        appointment=appointment,
        rule=rule,
        contact=contact,
        purpose=REMINDERS if contact is not None else "",
    )


# What a message sent again keeps of the one it replaces.
RESENT_FIELDS = (
    "patient contact purpose appointment appointment_start channel subject body "
    "language email_fallback"
)


def notification_resend(
    *, notification: Notification, reason: str, actor
) -> Notification:
    """A failed, undeliverable or skipped message may be sent again, with a reason;
    the new message points at the old one."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": RESEND_REASON_REQUIRED})
    if notification.status not in Notification.RESENDABLE_STATUSES:
        raise NotResendable(NOT_RESENDABLE)
    with transaction.atomic():
        copy = Notification(
            **fields_of(notification, RESENT_FIELDS),
            address=_address_of(
                notification.contact or notification.patient, notification.channel
            ),
            scheduled_for=timezone.now(),
            due_at=timezone.now(),
            created_by=actor,
            resent_from=notification,
            resend_reason=reason[:200],
        )
        copy._change_reason = f"resent: {reason}"[:100]
        copy.save()
        _enqueue_send(copy)
    return copy
