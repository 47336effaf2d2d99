"""A visit's status: confirmed, checked in, roomed, completed, cancelled, no-show.

Each change is one transaction on the locked row, allowed only from the statuses
in ``TRANSITIONS`` and, for the changes bound to the visit's day, inside its time
(``scheduling.visit_windows``) unless overridden with a permission and a reason.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import alert_raise
from automations.events import publish
from automations.reminders.sync import reminders_sync
from automations.selectors import event_task_automated
from scheduling import eligibility, visit_hooks, visit_windows
from scheduling.exceptions import (
    INVALID_TRANSITION,
    NO_ROOM_FREE,
    OVERRIDE_FORBIDDEN,
    OVERRIDE_REASON_REQUIRED,
    REASON_REQUIRED,
    InvalidTransition,
    OutsideVisitWindow,
    SlotTaken,
)
from scheduling.models import Appointment, Room
from scheduling.services.booking import local_text, overlap_on_save

S = Appointment.Status

# Which status may follow which; each target has its stamp fields.
TRANSITIONS: dict[str, set[str]] = {
    S.SCHEDULED: {S.CONFIRMED, S.ARRIVED, S.CANCELLED, S.NO_SHOW},
    S.CONFIRMED: {S.ARRIVED, S.CANCELLED, S.NO_SHOW},
    S.ARRIVED: {S.IN_ROOM, S.CANCELLED},
    S.IN_ROOM: {S.COMPLETED},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
    S.NO_SHOW: set(),
}
STAMPS = {
    S.CONFIRMED: "confirmed",
    S.ARRIVED: "arrived",
    S.IN_ROOM: "in_room",
    S.COMPLETED: "completed",
    S.CANCELLED: "cancelled",
    S.NO_SHOW: "no_show",
}


def _is_override(locked: Appointment, target: str, *, actor, reason: str) -> bool:
    """Check-in, rooming and completion on the visit's day, a no-show after the
    grace period; outside those times only with the override permission and a
    reason (``scheduling.visit_windows``). True when this change is an override."""
    closed = visit_windows.closed_message(locked, target, timezone.now())
    if not closed:
        return False
    if actor is None or not actor.has_perm(visit_windows.OVERRIDE_PERMISSION):
        raise OutsideVisitWindow(f"{closed} {OVERRIDE_FORBIDDEN}")
    if not reason:
        raise ValidationError({"reason": f"{closed} {OVERRIDE_REASON_REQUIRED}"})
    return True


def _transition(
    appointment: Appointment, target: str, *, actor, reason: str = ""
) -> Appointment:
    reason = reason.strip()
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if target not in TRANSITIONS[locked.status]:
        raise InvalidTransition(
            str(INVALID_TRANSITION)
            % {"current": locked.get_status_display(), "target": S(target).label}
        )
    override = _is_override(locked, target, actor=actor, reason=reason)
    stamp = STAMPS[target]
    now = timezone.now()
    setattr(locked, f"{stamp}_at", now)
    setattr(locked, f"{stamp}_by", actor)
    locked.status = target
    locked.status_reason = reason[:200] if override else ""
    if override:
        locked._change_reason = f"{target} outside the visit's time: {reason}"[:100]
    else:
        locked._change_reason = (f"{target}: {reason}" if reason else target)[:100]
    return locked


def appointment_confirm(
    *, appointment: Appointment, actor, reason: str = ""
) -> Appointment:
    """A visit is confirmed at any time (``reason`` is unused: the quick actions
    share one signature)."""
    with transaction.atomic():
        locked = _transition(appointment, S.CONFIRMED, actor=actor)
        locked.save()
    return locked


def appointment_check_in(
    *,
    appointment: Appointment,
    actor,
    copay_collected: Decimal | None = None,
    reason: str = "",
) -> Appointment:
    """Check-in records the copay due (from the patient's coverage) and any taken;
    it happens on the visit's day (else an override with a reason)."""
    if copay_collected is not None and copay_collected < 0:
        raise ValidationError({"copay_collected": _("A copay cannot be negative.")})
    with transaction.atomic():
        locked = _transition(appointment, S.ARRIVED, actor=actor, reason=reason)
        info = eligibility.check_in_info(appointment=locked)
        locked.copay_due = info.copay_due
        locked.copay_collected = copay_collected
        locked.save()
        publish("appointment.checked_in", subject=locked, actor=actor)
    return locked


def appointment_room(
    *, appointment: Appointment, actor, room: Room | None = None, reason: str = ""
) -> Appointment:
    with transaction.atomic():
        locked = _transition(appointment, S.IN_ROOM, actor=actor, reason=reason)
        if room is not None:
            locked.room = room
        overlap = overlap_on_save(locked)
        if overlap is not None:
            raise SlotTaken(NO_ROOM_FREE) from overlap
    return locked


def appointment_complete(
    *, appointment: Appointment, actor, reason: str = ""
) -> Appointment:
    """Completing a visit (on its day, else an override with a reason) captures its
    draft charges (through ``scheduling.visit_hooks``, which billing fills)."""
    with transaction.atomic():
        locked = _transition(appointment, S.COMPLETED, actor=actor, reason=reason)
        locked.save()
        visit_hooks.visit_completed(appointment=locked, actor=actor)
        publish("appointment.completed", subject=locked, actor=actor)
    return locked


def appointment_cancel(*, appointment: Appointment, reason: str, actor) -> Appointment:
    """A cancellation keeps its reason; the time becomes free at once."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    with transaction.atomic():
        locked = _transition(appointment, S.CANCELLED, actor=actor, reason=reason)
        locked.cancel_reason = reason[:200]
        locked.save()
        reminders_sync(appointment=locked, actor=actor)
        publish("appointment.cancelled", subject=locked, actor=actor)
    return locked


NO_SHOW_TASK_KEY = "no-show:%(pk)s"


def appointment_mark_no_show(
    *, appointment: Appointment, actor=None, reason: str = ""
) -> Appointment:
    """A visit becomes a no-show only after its start and the grace period (else an
    override with a reason). A no-show opens a follow-up task for the front desk to
    rebook the patient, unless an enabled automation that the no-show starts makes
    that task."""
    with transaction.atomic():
        locked = _transition(appointment, S.NO_SHOW, actor=actor, reason=reason)
        locked.save()
        event = publish("appointment.no_show", subject=locked, actor=actor)
        if event_task_automated(event, role="Front desk"):
            return locked  # an enabled no-show automation makes the front-desk task
        alert_raise(
            kind="no_show_follow_up",
            title=_("No-show: %(patient)s, %(type)s on %(when)s — rebook")
            % {
                "patient": f"{locked.patient.given_name} {locked.patient.family_name}",
                "type": locked.appointment_type.name,
                "when": local_text(locked.start),
            },
            patient=locked.patient,
            subject=locked,
            role="Front desk",
            key=NO_SHOW_TASK_KEY % {"pk": locked.pk},
        )
    return locked


QUICK_ACTIONS = {
    S.CONFIRMED: appointment_confirm,
    S.ARRIVED: appointment_check_in,
    S.IN_ROOM: appointment_room,
    S.COMPLETED: appointment_complete,
    S.NO_SHOW: appointment_mark_no_show,
}
