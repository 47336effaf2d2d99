"""The automations sweeper (listed in clinic.dispatch.SWEEPERS).

Makes the time-relative and daily events that are due, then does whatever Redis
should have carried and did not: events not yet processed, waits and retries due.
Every step locks its row (SKIP LOCKED) and is idempotent, so a job and the sweeper
may race safely.
"""

from datetime import datetime, timedelta

from automations import engine
from automations.models import AutomationRun, Event, ScheduledWait
from automations.schedule import daily_publish, time_relative_publish

BATCH = 500
# An event younger than this is left to its job (enqueued on commit).
GRACE = timedelta(seconds=30)


def automations_sweep(now: datetime) -> int:
    done = time_relative_publish(now=now) + daily_publish(now=now)
    events = Event.objects.filter(
        processed_at__isnull=True, occurred_at__lte=now - GRACE
    ).order_by("occurred_at")
    event_ids = list(events.values_list("pk", flat=True)[:BATCH])
    engine.events_process_all(event_ids=event_ids, now=now)
    done += len(event_ids)
    waits = ScheduledWait.objects.filter(
        status=ScheduledWait.Status.PENDING, due_at__lte=now
    ).order_by("due_at")
    for wait_id in list(waits.values_list("pk", flat=True)[:BATCH]):
        done += engine.wait_fire(wait_id=wait_id, now=now)
    retries = AutomationRun.objects.filter(
        status=AutomationRun.Status.RETRYING, retry_at__lte=now
    ).order_by("retry_at")
    for run_id in list(retries.values_list("pk", flat=True)[:BATCH]):
        engine.run_advance(run_id=run_id, now=now)
        done += 1
    return done
