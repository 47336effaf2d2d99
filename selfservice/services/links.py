"""What a patient does with a visit through its link. No staff user acts: the
visit's history says "via self-service link", and each action is published for
automations (``link.rescheduled``, ``link.cancelled``)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from automations.events import publish
from automations.models import Trigger
from scheduling.models import Appointment
from scheduling.services import (
    appointment_cancel,
    appointment_confirm,
    appointment_reschedule,
)
from selfservice.exceptions import TIME_GONE, VISIT_CLOSED, SelfServiceError
from selfservice.selectors import link_slots

VIA = "self-service link"
CANCEL_REASONS = {
    "better": _("I feel better"),
    "conflict": _("I cannot come at that time"),
    "elsewhere": _("I am seeing someone else"),
    "other": _("Another reason"),
}


def _open(appointment: Appointment) -> None:
    if appointment.status not in Appointment.UPCOMING_STATUSES:
        raise SelfServiceError(str(VISIT_CLOSED))


def link_confirm(*, appointment: Appointment) -> Appointment:
    """A patient confirms an upcoming visit; a confirmed one stays confirmed."""
    _open(appointment)
    if appointment.status == Appointment.Status.CONFIRMED:
        return appointment
    return appointment_confirm(appointment=appointment, actor=None)


def link_cancel(*, appointment: Appointment, reason: str) -> Appointment:
    """A patient cancels with one of ``CANCEL_REASONS``; the time is free at once."""
    if reason not in CANCEL_REASONS:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    _open(appointment)
    with transaction.atomic():
        cancelled = appointment_cancel(
            appointment=appointment,
            reason=f"{CANCEL_REASONS[reason]} ({VIA})",
            actor=None,
        )
        publish(Trigger.LINK_CANCELLED, subject=cancelled, facts={"reason": reason})
    return cancelled


def link_reschedule(*, appointment: Appointment, start: datetime) -> Appointment:
    """A patient moves a visit to one of the free times offered for it (same type,
    provider and place); every booking rule holds (``appointment_reschedule``),
    and a time taken meanwhile by the front desk is refused (``SlotTaken``)."""
    _open(appointment)
    if start not in {slot.start for slot in link_slots(appointment=appointment)}:
        raise SelfServiceError(str(TIME_GONE))
    with transaction.atomic():
        moved = appointment_reschedule(
            appointment=appointment, start=start, actor=None, via=VIA
        )
        publish(Trigger.LINK_RESCHEDULED, subject=moved)
    return moved
