"""Made-up events: a time before / after an appointment, and a daily schedule.

The sweeper makes them when due (each once: a unique key), for the one automation
that asked; the dry run uses the same candidate finder over past days.
"""

from datetime import date, datetime, timedelta

from django.utils import timezone

from automations.events import publish
from automations.models import Automation, Event, Trigger
from automations.reminders.rules import is_outbox_reminder
from automations.sources import visit_model
from clinic.clock import at_local

LOOKBACK = timedelta(hours=6)  # how late a missed time-relative event is still made


def _appointment_statuses(offset_minutes: int) -> list[str]:
    Appointment = visit_model()
    S = Appointment.Status
    if offset_minutes < 0:
        return Appointment.UPCOMING_STATUSES  # reminders go to visits still expected
    return [S.SCHEDULED, S.CONFIRMED, S.ARRIVED, S.IN_ROOM, S.COMPLETED, S.NO_SHOW]


def time_relative_candidates(
    *, automation: Automation, start: datetime, end: datetime, past: bool = False
):
    """Appointments whose start + offset falls in (start, end].

    ``past``: for a dry run over days gone by, whatever the visit's status now
    (the caller leaves out visits booked after, or cancelled before, that moment).
    """
    offset = timedelta(minutes=automation.offset_minutes or 0)
    visits = visit_model().objects.filter(
        start__gt=start - offset, start__lte=end - offset
    )
    if not past:
        visits = visits.filter(
            status__in=_appointment_statuses(automation.offset_minutes or 0)
        )
    return visits.select_related(
        "patient", "appointment_type", "provider", "location"
    ).order_by("start")


def time_key(automation: Automation, appointment) -> str:
    return f"time:{automation.pk}:{appointment.pk}:{int(appointment.start.timestamp())}"


def time_relative_publish(*, now: datetime) -> int:
    made = 0
    for automation in Automation.objects.filter(
        enabled=True, trigger=Trigger.APPOINTMENT_TIME
    ).prefetch_related("actions"):
        if is_outbox_reminder(automation, list(automation.actions.all())):
            continue  # its reminders were written into the outbox with the booking
        since = max(automation.enabled_at or now, now - LOOKBACK)
        candidates = list(
            time_relative_candidates(automation=automation, start=since, end=now)[:1000]
        )
        keys = {time_key(automation, a): a for a in candidates}
        seen = set(Event.objects.filter(key__in=keys).values_list("key", flat=True))
        for key, appointment in keys.items():
            if key in seen:
                continue
            event = publish(
                Trigger.APPOINTMENT_TIME,
                patient=appointment.patient,
                subject=appointment,
                facts={"offset_minutes": automation.offset_minutes},
                key=key,
                for_automation=automation,
            )
            made += event is not None
    return made


def daily_due_on(automation: Automation, day: date) -> datetime | None:
    """The local moment the automation runs on ``day``, or None (not that weekday)."""
    if automation.run_at is None or str(day.weekday()) not in automation.weekdays:
        return None
    return at_local(day, automation.run_at)


def daily_publish(*, now: datetime) -> int:
    made = 0
    today = timezone.localtime(now).date()
    for automation in Automation.objects.filter(enabled=True, trigger=Trigger.DAILY):
        moment = daily_due_on(automation, today)
        if moment is None or moment > now:
            continue
        if automation.enabled_at and moment < automation.enabled_at:
            continue  # switched on after today's time: from tomorrow
        key = f"daily:{automation.pk}:{today.isoformat()}"
        if Event.objects.filter(key=key).exists():
            continue
        event = publish(
            Trigger.DAILY,
            facts={"date": today.isoformat()},
            key=key,
            for_automation=automation,
        )
        made += event is not None
    return made
