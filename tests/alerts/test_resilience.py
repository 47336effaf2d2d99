"""Nothing lost, nothing sent twice: two sweepers at once, a worker killed with
SIGKILL mid-batch, Redis down while visits are booked. Real RQ worker processes,
the real twilio client, the fake Twilio on 127.0.0.1."""

import os
import signal
import time
from datetime import time as clock
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts import outbox
from alerts.models import Notification
from clinic.dispatch import dispatch_due
from scheduling.models import AvailabilityRule
from scheduling.services import appointment_book
from tests.alerts.conftest import finish
from tests.alerts.factories import ReminderRuleFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

SWEEPER = "alerts.sweepers.send_due_notifications"


def _due_rows(count: int) -> list[Notification]:
    """Due rows whose enqueue never happened (as after a lost Redis)."""
    due = timezone.now() - timedelta(minutes=1)
    rows = []
    for n in range(count):
        patient = PatientFactory(
            phone_mobile=f"+1555300{n:04d}", sms_consent=True, sms_consent_method="sms"
        )
        rows.append(
            Notification(
                patient=patient,
                channel="sms",
                address=str(patient.phone_mobile),
                body=f"Reminder number {n}",
                scheduled_for=due,
                due_at=due,
            )
        )
    return Notification.objects.bulk_create(rows)


def _received_once_each(fake_twilio, rows) -> None:
    bodies = [m["body"] for m in fake_twilio.messages]
    assert sorted(bodies) == sorted(row.body for row in rows)
    statuses = Notification.objects.filter(pk__in=[r.pk for r in rows])
    assert set(statuses.values_list("status", flat=True)) == {"sent"}


def test_two_sweepers_at_once_send_every_reminder_once(fake_twilio, processes):
    rows = _due_rows(60)
    sweepers = [processes("dispatch_due", twilio=fake_twilio) for _ in range(2)]
    finish(*sweepers)
    workers = [
        processes("rqworker", "notifications", "--burst", twilio=fake_twilio)
        for _ in range(2)
    ]
    finish(*workers)
    _received_once_each(fake_twilio, rows)
    assert fake_twilio.requests == 60


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    fake_twilio, processes
):
    rows = _due_rows(200)
    fake_twilio.delay = 0.1
    dispatch_due()
    # SimpleWorker sends in the worker process itself: RQ's default worker forks a
    # work horse in a session of its own, which a kill of the worker would miss.
    worker = processes(
        "rqworker",
        "notifications",
        "--worker-class",
        "rq.worker.SimpleWorker",
        twilio=fake_twilio,
    )
    deadline = time.monotonic() + 60
    while len(fake_twilio.messages) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    # A text the worker had handed over before it died is Twilio's now: it is in
    # Twilio's list by the time the 5-minute stuck rule looks (here: at once).
    fake_twilio.settle()
    received_before = len(fake_twilio.messages)
    assert 8 <= received_before < 200
    assert Notification.objects.filter(status="sending").exists()

    fake_twilio.delay = 0
    later = timezone.now() + outbox.SENDING_TIMEOUT + timedelta(seconds=1)
    dispatch_due(now=later)  # settles the stuck rows, enqueues the rest
    finish(processes("rqworker", "notifications", "--burst", twilio=fake_twilio))
    _received_once_each(fake_twilio, rows)


def test_visits_booked_while_redis_is_down_are_reminded_by_dispatch_due(
    settings, fake_twilio, processes
):
    location = LocationFactory(code="main")
    kind = AppointmentTypeFactory(duration_minutes=30)
    ReminderRuleFactory(
        hours_before=3,
        body="See you at {time}",
        quiet_start=clock(0),
        quiet_end=clock(0),
    )
    start = (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    # The providers work until 23:59: a visit three hours ahead of 20:30-21:00 would
    # run past midnight, so it starts by 23:29 instead (its reminder still due).
    start = min(start, timezone.localtime(start).replace(hour=23, minute=29))
    healthy = {name: dict(conf) for name, conf in settings.RQ_QUEUES.items()}
    for conf in settings.RQ_QUEUES.values():
        conf["URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        for n in range(5):
            provider = ProviderFactory()
            for weekday in range(7):
                AvailabilityRule.objects.create(
                    provider=provider,
                    location=location,
                    weekday=weekday,
                    start_time=clock(0),
                    end_time=clock(23, 59),
                )
            appointment_book(
                patient=PatientFactory(
                    phone_mobile=f"+1555400{n:04d}",
                    sms_consent=True,
                    sms_consent_method="sms",
                ),
                appointment_type=kind,
                provider=provider,
                location=location,
                start=start,
                actor=None,
            )
    finally:
        for name, conf in healthy.items():
            settings.RQ_QUEUES[name].update(conf)
    rows = list(Notification.objects.all())
    assert len(rows) == 5
    assert {row.status for row in rows} == {"pending"}
    finish(processes("rqworker", "notifications", "--burst", twilio=fake_twilio))
    assert fake_twilio.messages == []  # nothing reached Redis, nothing was sent

    assert dispatch_due()[SWEEPER] == 5
    finish(processes("rqworker", "notifications", "--burst", twilio=fake_twilio))
    _received_once_each(fake_twilio, rows)
