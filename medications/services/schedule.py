"""The dose schedule: generated from active orders, idempotently."""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from medications import conf
from medications.dose_times import due_times
from medications.models import MedicationOrder, ScheduledDose
from medications.services.overdue import overdue_alert_close

DS = ScheduledDose.Status


def schedule_generate(
    *,
    order: MedicationOrder,
    now: datetime,
    since: datetime | None = None,
    hours: int | None = None,
) -> int:
    """Doses of an active order for the next ``hours`` exist exactly once each
    (unique per order and due time); running it again creates nothing new.
    A dose cancelled by a hold comes back when its order is active again."""
    if order.status != MedicationOrder.Status.ACTIVE or order.is_prn:
        return 0
    now = now.astimezone(UTC)  # elapsed-time arithmetic below
    hours = hours if hours is not None else conf.schedule_hours()
    start = since if since is not None else order.start_at
    end = now + timedelta(hours=hours)
    wanted = due_times(order, start=start, end=end)
    if not wanted:
        return 0
    existing = {
        dose.due_at: dose
        for dose in ScheduledDose.objects.filter(
            order=order, due_at__gte=wanted[0], due_at__lte=wanted[-1]
        )
    }
    created = 0
    for due_at in wanted:
        dose = existing.get(due_at)
        if dose is None:
            with transaction.atomic():
                _dose, made = ScheduledDose.objects.get_or_create(
                    order=order, due_at=due_at
                )
            created += int(made)
        elif dose.status == DS.CANCELLED and due_at >= now:
            dose.status = DS.SCHEDULED
            dose.reason = ""
            dose._change_reason = "scheduled again: the order is active"
            dose.save()
            created += 1
    return created


def schedule_cancel_open(
    *, order: MedicationOrder, actor, reason: str, after: datetime | None = None
) -> int:
    """Every dose of the order not yet given, held or refused (from ``after`` on,
    when given) is cancelled with the reason; its overdue alert closes."""
    doses = ScheduledDose.objects.filter(order=order, status=DS.SCHEDULED)
    if after is not None:
        doses = doses.filter(due_at__gte=after)
    cancelled = 0
    now = timezone.now()
    for dose in doses.select_for_update():
        dose.status = DS.CANCELLED
        dose.reason = reason[:500]
        dose.status_changed_by = actor
        dose.status_changed_at = now
        dose._change_reason = reason[:100]
        dose.save()
        overdue_alert_close(dose, f"Dose cancelled: {reason}", actor)
        cancelled += 1
    return cancelled


def schedule_regenerate(*, order: MedicationOrder, now: datetime, actor) -> int:
    """After an order is made or changed: the future doses that no longer fit the
    order are cancelled and the ones it now needs are made."""
    if order.is_prn or order.status != MedicationOrder.Status.ACTIVE:
        return schedule_cancel_open(
            order=order, actor=actor, reason="order changed", after=now
        )
    now = now.astimezone(UTC)
    end = now + timedelta(hours=conf.schedule_hours())
    if _has_doses(order):
        since = max(order.start_at, now)  # a change: from now on
    else:
        # A new order: from its start, but a back-dated one does not fill the MAR
        # with doses that were overdue before it was written.
        since = max(order.start_at, now - conf.overdue_after())
    wanted = set(due_times(order, start=since or order.start_at, end=end))
    stale = ScheduledDose.objects.filter(
        order=order, status=DS.SCHEDULED, due_at__gte=now
    )
    for dose in stale.select_for_update():
        if dose.due_at not in wanted:
            dose.status = DS.CANCELLED
            dose.reason = "order changed"
            dose.status_changed_by = actor
            dose.status_changed_at = now
            dose._change_reason = "cancelled: the order changed"
            dose.save()
    return schedule_generate(order=order, now=now, since=since)


def _has_doses(order: MedicationOrder) -> bool:
    return ScheduledDose.objects.filter(order=order).exists()


def schedules_generate_all(*, now: datetime) -> int:
    """The periodic job: every active scheduled order has its next hours of doses."""
    now = now.astimezone(UTC)
    lookback = now - timedelta(hours=2)
    orders = (
        MedicationOrder.objects.filter(status=MedicationOrder.Status.ACTIVE)
        .exclude(frequency=MedicationOrder.Frequency.PRN)
        .exclude(end_at__lt=lookback)
    )
    return sum(
        schedule_generate(order=order, now=now, since=lookback) for order in orders
    )
