"""Taking back a check-in, a no-show or a completion made by mistake.

Each undo is one transaction that returns the visit to the status before the
change, keeps the reason (history and ``status_reason``), and takes back what the
change started.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.services import alert_resolve_by_key
from automations.reminders.sync import reminders_sync
from automations.services import events_withdraw
from scheduling import visit_hooks, visit_windows
from scheduling.exceptions import (
    NOTHING_TO_UNDO,
    REASON_REQUIRED,
    UNDO_SLOT_TAKEN,
    UNDO_TOO_LATE,
    CannotUndo,
)
from scheduling.models import Appointment
from scheduling.services.booking import overlap_on_save
from scheduling.services.visits import NO_SHOW_TASK_KEY

S = Appointment.Status

# The button's words for each undoable status, and what history says.
UNDO_LABELS = {
    S.ARRIVED: _("Undo check-in"),
    S.NO_SHOW: _("Undo no-show"),
    S.COMPLETED: _("Undo completion"),
}
UNDO_HISTORY = {
    S.ARRIVED: "check-in undone",
    S.NO_SHOW: "no-show undone",
    S.COMPLETED: "completion undone",
}


def _status_before(locked: Appointment) -> str:
    """A check-in or a no-show came from a scheduled or a confirmed visit."""
    return S.CONFIRMED if locked.confirmed_at else S.SCHEDULED


def _withdraw(kind: str, locked: Appointment, reason: str):
    return events_withdraw(kind=kind, subject=locked, reason=reason)


def _undo_check_in(locked: Appointment, *, actor, reason: str, now) -> None:
    locked.status = _status_before(locked)
    locked.arrived_at = locked.arrived_by = None
    locked.save()
    _withdraw("appointment.checked_in", locked, reason)
    reminders_sync(appointment=locked, actor=actor)


def _undo_no_show(locked: Appointment, *, actor, reason: str, now) -> None:
    """The visit holds its time again: refused when another visit took it since."""
    locked.status = _status_before(locked)
    locked.no_show_at = locked.no_show_by = None
    locked.no_show_undone_at = now
    overlap = overlap_on_save(locked)
    if overlap is not None:
        raise CannotUndo(str(UNDO_SLOT_TAKEN)) from overlap
    note = f"no-show undone: {reason}"[:200]
    alert_resolve_by_key(
        key=NO_SHOW_TASK_KEY % {"pk": locked.pk}, note=note, actor=actor
    )
    _withdraw("appointment.no_show", locked, reason)
    reminders_sync(appointment=locked, actor=actor)


def _undo_completion(locked: Appointment, *, actor, reason: str, now) -> None:
    """Draft charges are taken back (``scheduling.visit_hooks``, filled by
    billing); refused once billing made a claim."""
    visit_hooks.visit_completion_undone(appointment=locked, actor=actor, reason=reason)
    locked.status = S.IN_ROOM
    locked.completed_at = locked.completed_by = None
    locked.save()
    _withdraw("appointment.completed", locked, reason)


UNDO = {
    S.ARRIVED: _undo_check_in,
    S.NO_SHOW: _undo_no_show,
    S.COMPLETED: _undo_completion,
}


def appointment_undo(*, appointment: Appointment, actor, reason: str) -> Appointment:
    """A check-in, a no-show or a completion is undone on the clinic day it was
    made, with a reason: the visit returns to the status before it. Undoing a
    no-show resolves its follow-up task and cancels what the no-show's automations
    still had pending; undoing a completion takes back its draft charges (refused
    once a claim was made of them)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    now = timezone.now()
    with transaction.atomic():
        # FOR NO KEY UPDATE: an automation step inserting a row that points at this
        # visit (a task, a message) takes KEY SHARE on it while holding its run,
        # which the withdrawal below locks: a full lock here could deadlock.
        locked = (
            Appointment.objects.select_for_update(no_key=True)
            .select_related("patient", "appointment_type")
            .get(pk=appointment.pk)
        )
        undo = UNDO.get(locked.status)
        if undo is None:
            raise CannotUndo(
                str(NOTHING_TO_UNDO) % {"current": locked.get_status_display()}
            )
        if not visit_windows.can_undo(locked, now):
            made_at = visit_windows.change_made_at(locked) or locked.start
            day = timezone.localtime(made_at).strftime("%a %d %b %Y")
            raise CannotUndo(str(UNDO_TOO_LATE) % {"day": day})
        locked.status_reason = reason[:200]
        locked._change_reason = f"{UNDO_HISTORY[locked.status]}: {reason}"[:100]
        undo(locked, actor=actor, reason=reason, now=now)
    return locked
