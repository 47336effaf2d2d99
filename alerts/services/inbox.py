"""Writes of the staff inbox: raise, acknowledge, resolve, escalate."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from alerts.exceptions import (
    ALREADY_RESOLVED,
    NOT_YOURS,
    AlertClosed,
    AlertNotForYou,
)
from alerts.kinds import ASSIGNABLE_ROLES, KINDS, kind_of
from alerts.models import StaffAlert
from alerts.selectors import alert_visible_to

NOTE_REQUIRED = _("Write what was done; the note is kept with the alert.")


def alert_new(
    *,
    kind: str,
    title: str,
    message: str = "",
    patient=None,
    subject=None,
    role: str = "",
    user=None,
    key: str = "",
    priority: int | None = None,
    due_at: datetime | None = None,
) -> StaffAlert:
    """An alert or task for a role's or a person's inbox, checked and not yet
    saved (``alert_raise`` or ``alerts_raise_many`` put it there)."""
    if not role and user is None:
        raise ValidationError(_("An alert needs a role or a user to go to."))
    if role and role not in ASSIGNABLE_ROLES:
        raise ValidationError(_("Unknown role %(role)s.") % {"role": role})
    alert = StaffAlert(
        kind=kind,
        title=title[:200],
        message=message,
        patient=patient,
        assigned_role=role,
        assigned_user=user,
        key=key,
        priority=priority if priority is not None else kind_of(kind).priority,
        due_at=due_at,
    )
    if subject is not None:
        alert.subject = subject
    return alert


def _unresolved(keys) -> dict[str, StaffAlert]:
    found = StaffAlert.objects.filter(key__in=keys).exclude(
        status=StaffAlert.Status.RESOLVED
    )
    return {alert.key: alert for alert in found}


def _alert_put(alert: StaffAlert) -> StaffAlert:
    """With a ``key``, an alert is raised at most once while unresolved: raising it
    again returns the existing one (so jobs may run twice)."""
    if alert.key:
        found = _unresolved([alert.key]).get(alert.key)
        if found is not None:
            return found
    try:
        with transaction.atomic():
            alert.save()
    except IntegrityError:
        if not alert.key:
            raise
        # Raised at the same moment by another process: theirs stands.
        return StaffAlert.objects.exclude(status=StaffAlert.Status.RESOLVED).get(
            key=alert.key
        )
    return alert


def alert_raise(**fields) -> StaffAlert:
    """Put an alert or task in a role's or a person's inbox (``alert_new``'s
    arguments). With a ``key``, an alert is raised at most once while unresolved:
    raising it again returns the existing one (so jobs may run twice)."""
    return _alert_put(alert_new(**fields))


def alerts_raise_many(alerts: list[StaffAlert]) -> list[StaffAlert]:
    """``alert_raise`` for many alerts made by ``alert_new``, in one read of the
    keys already raised and one insert (history rows with it). Returns, in order,
    each alert or the unresolved one that already held its key."""
    if not alerts:
        return []
    held = _unresolved({alert.key for alert in alerts if alert.key})
    new, raised = [], []
    for alert in alerts:
        found = held.get(alert.key) if alert.key else None
        if found is None:
            new.append(alert)
            if alert.key:
                held[alert.key] = alert
        raised.append(found or alert)
    try:
        with transaction.atomic():
            bulk_create_with_history(new, StaffAlert)
    except IntegrityError:
        # A key raised meanwhile by another process: one at a time, theirs stand.
        for alert in new:
            alert.pk, alert._state.adding = None, True
        return [_alert_put(alert) for alert in alerts]
    return raised


def _check_can_act(alert: StaffAlert, actor) -> None:
    if not alert_visible_to(alert=alert, user=actor):
        raise AlertNotForYou(NOT_YOURS)
    if alert.status == StaffAlert.Status.RESOLVED:
        raise AlertClosed(ALREADY_RESOLVED)


def alert_acknowledge(*, alert: StaffAlert, actor, note: str = "") -> StaffAlert:
    """Acknowledging says "I have seen it and I am on it"; it stops escalation."""
    with transaction.atomic():
        alert = StaffAlert.objects.select_for_update().get(pk=alert.pk)
        _check_can_act(alert, actor)
        if alert.status == StaffAlert.Status.OPEN:
            alert.status = StaffAlert.Status.ACKNOWLEDGED
            alert.acknowledged_at = timezone.now()
            alert.acknowledged_by = actor
            if note.strip():
                alert.note = note.strip()
            alert._change_reason = f"acknowledged by {actor.get_username()}"
            alert.save()
    return alert


def alert_resolve(*, alert: StaffAlert, actor, note: str) -> StaffAlert:
    """An alert is resolved with a note saying what was done."""
    if not note.strip():
        raise ValidationError({"note": NOTE_REQUIRED})
    with transaction.atomic():
        alert = StaffAlert.objects.select_for_update().get(pk=alert.pk)
        _check_can_act(alert, actor)
        now = timezone.now()
        if alert.acknowledged_at is None:
            alert.acknowledged_at, alert.acknowledged_by = now, actor
        alert.status = StaffAlert.Status.RESOLVED
        alert.resolved_at, alert.resolved_by = now, actor
        alert.note = note.strip()
        alert._change_reason = f"resolved: {note.strip()[:80]}"
        alert.save()
    return alert


def alert_resolve_by_key(*, key: str, note: str, actor=None) -> StaffAlert | None:
    """Close the unresolved alert with this key because its cause went away
    (the dose was given, the result reviewed). Returns it, or None."""
    with transaction.atomic():
        alert = (
            StaffAlert.objects.select_for_update()
            .filter(key=key)
            .exclude(status=StaffAlert.Status.RESOLVED)
            .first()
        )
        if alert is None:
            return None
        now = timezone.now()
        alert.status = StaffAlert.Status.RESOLVED
        alert.resolved_at, alert.resolved_by = now, actor
        alert.note = note
        alert._change_reason = f"resolved automatically: {note[:80]}"
        alert.save()
    return alert


def alerts_escalate_due(*, now: datetime | None = None) -> int:
    """An alert still open (not acknowledged) past its kind's limit goes to the
    kind's escalation role, once."""
    now = now or timezone.now()
    escalated = 0
    for name, kind in KINDS.items():
        if kind.escalate_after_minutes is None:
            continue
        cutoff = now - timedelta(minutes=kind.escalate_after_minutes)
        with transaction.atomic():
            due = StaffAlert.objects.select_for_update(skip_locked=True).filter(
                kind=name,
                status=StaffAlert.Status.OPEN,
                escalated_at__isnull=True,
                created_at__lte=cutoff,
            )
            for alert in due:
                previous = alert.assigned_user or alert.assigned_role
                alert.escalated_at = now
                alert.assigned_role = kind.escalate_to
                alert.assigned_user = None
                alert.priority = max(alert.priority, StaffAlert.Priority.URGENT)
                alert._change_reason = (
                    f"escalated to {kind.escalate_to}: not acknowledged within "
                    f"{kind.escalate_after_minutes} minutes by {previous}"
                )
                alert.save()
                escalated += 1
    return escalated


# --- The outbox --------------------------------------------------------------------
