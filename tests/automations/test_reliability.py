"""Waits survive restarts, failures retry without touching the emitter, loops stop,
nothing is lost when Redis is down."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from alerts.models import StaffAlert
from automations import engine, jobs
from automations.models import (
    ActionOutcome,
    AutomationRun,
    Event,
    ScheduledWait,
)
from clinic.dispatch import dispatch_due
from registration.models import EligibilityCheck
from registration.services import eligibility_check_run
from scheduling import services as scheduling
from scheduling.models import Appointment
from tests.automations.factories import ActionFactory, AutomationFactory
from tests.registration.factories import CoverageFactory
from tests.scheduling.factories import local, next_weekday

SWEEPER = "automations.sweepers.automations_sweep"


def _book(clinic, actor):
    return scheduling.appointment_book(
        patient=clinic["patient"],
        appointment_type=clinic["type"],
        provider=clinic["provider"],
        location=clinic["location"],
        start=local(next_weekday(), 10),
        actor=actor,
    )


def _wait_then_task(trigger="appointment.booked"):
    automation = AutomationFactory(trigger=trigger)
    ActionFactory(automation=automation, position=0, kind="wait", wait_minutes=60)
    ActionFactory(automation=automation, position=1, title="After the wait")
    return automation


@pytest.mark.django_db(transaction=True)
def test_a_wait_survives_a_worker_restart_and_fires_once(
    clinic, admin_user, run_rq_worker
):
    _wait_then_task()
    _book(clinic, admin_user)
    run_rq_worker("default")  # processes the event; the run now waits

    run = AutomationRun.objects.get()
    assert run.status == AutomationRun.Status.WAITING
    wait = ScheduledWait.objects.get()
    assert wait.status == ScheduledWait.Status.PENDING
    assert not StaffAlert.objects.filter(kind="task").exists()

    # The worker is gone; a new one starts before the wait is due: nothing happens.
    run_rq_worker("default")
    assert dispatch_due(now=timezone.now())[SWEEPER] == 0
    assert not StaffAlert.objects.filter(kind="task").exists()

    # When due, the sweeper fires it, once, whatever else runs afterwards.
    later = wait.due_at + timedelta(minutes=1)
    assert dispatch_due(now=later)[SWEEPER] == 1
    assert dispatch_due(now=later)[SWEEPER] == 0
    assert jobs.wait_fire_job(wait.pk) is False  # the scheduled job, late
    run_rq_worker("default")

    assert StaffAlert.objects.filter(kind="task", title="After the wait").count() == 1
    run.refresh_from_db()
    wait.refresh_from_db()
    assert run.status == AutomationRun.Status.DONE
    assert wait.status == ScheduledWait.Status.FIRED


@pytest.mark.django_db(transaction=True)
def test_events_are_not_lost_when_redis_is_down(settings, clinic, admin_user):
    from tests.automations.factories import task_automation

    task_automation("appointment.booked")
    healthy = {name: dict(conf) for name, conf in settings.RQ_QUEUES.items()}
    for conf in settings.RQ_QUEUES.values():
        conf["URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        with transaction.atomic():
            appointment = _book(clinic, admin_user)
    finally:
        for name, conf in healthy.items():
            settings.RQ_QUEUES[name].update(conf)
    assert Appointment.objects.filter(pk=appointment.pk).exists()
    event = Event.objects.get()
    assert event.processed_at is None
    assert dispatch_due(now=timezone.now() + timedelta(minutes=1))[SWEEPER] == 1
    assert StaffAlert.objects.filter(kind="task").count() == 1


@pytest.mark.django_db
def test_a_failing_action_is_retried_and_recorded_and_the_booking_stands(
    clinic, admin_user, drain, monkeypatch
):
    from automations import actions

    automation = AutomationFactory(trigger="appointment.booked")
    ActionFactory(automation=automation, position=0, title="First")
    ActionFactory(automation=automation, position=1, title="Second")
    real_execute = actions.execute
    failures = {"left": 1}

    def flaky(action, step, **kwargs):
        if step.text == "Second" and failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("inbox unreachable")
        return real_execute(action, step, **kwargs)

    monkeypatch.setattr(actions, "execute", flaky)
    appointment = _book(clinic, admin_user)
    drain()

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.SCHEDULED
    run = AutomationRun.objects.get()
    assert run.status == AutomationRun.Status.RETRYING
    assert "inbox unreachable" in run.error
    second = ActionOutcome.objects.get(run=run, position=1)
    assert (second.status, second.attempts) == ("retrying", 1)
    assert list(StaffAlert.objects.values_list("title", flat=True)) == ["First"]

    # Not due yet: nothing; when due: done, and the first task is not made twice.
    engine.run_advance(run_id=run.pk)
    assert ActionOutcome.objects.get(run=run, position=1).attempts == 1
    drain(now=timezone.now() + timedelta(minutes=2))
    run.refresh_from_db()
    second.refresh_from_db()
    assert run.status == AutomationRun.Status.DONE
    assert (second.status, second.attempts) == ("done", 2)
    assert sorted(StaffAlert.objects.values_list("title", flat=True)) == [
        "First",
        "Second",
    ]


@pytest.mark.django_db
def test_an_action_failing_every_time_fails_the_run_after_three_attempts(
    clinic, admin_user, drain, monkeypatch
):
    from automations import actions

    automation = AutomationFactory(trigger="appointment.booked")
    ActionFactory(automation=automation, position=0)

    def broken(*args, **kwargs):
        raise ValueError("always")

    monkeypatch.setattr(actions, "execute", broken)
    _book(clinic, admin_user)
    now = timezone.now()
    for minutes in (0, 2, 10, 30):
        drain(now=now + timedelta(minutes=minutes))
    run = AutomationRun.objects.get()
    outcome = ActionOutcome.objects.get(run=run)
    assert run.status == AutomationRun.Status.FAILED
    assert (outcome.status, outcome.attempts) == ("failed", 3)
    assert "ValueError: always" in outcome.error


@pytest.mark.django_db
def test_automations_that_feed_each_other_are_stopped_by_the_depth_limit(
    clinic, admin_user, drain
):
    """Check eligibility when a check fails: each failed check would start another."""
    automation = AutomationFactory(trigger="eligibility.failed")
    ActionFactory(automation=automation, position=0, kind="check_eligibility")
    coverage = CoverageFactory(patient=clinic["patient"], member_id="ERR123")
    check = EligibilityCheck.objects.create(
        coverage=coverage, patient=clinic["patient"], backend="simulated"
    )
    for _ in range(10):
        for pending in EligibilityCheck.objects.filter(result="pending"):
            eligibility_check_run(check_id=pending.pk)
        drain()
    assert check.pk
    depths = list(
        Event.objects.filter(kind="eligibility.failed")
        .order_by("depth")
        .values_list("depth", flat=True)
    )
    assert depths == [0, 1, 2, 3, 4]
    assert EligibilityCheck.objects.count() == 5
    assert AutomationRun.objects.count() == engine.MAX_DEPTH + 1
    stopped = Event.objects.get(depth=4)
    assert stopped.note == engine.LOOP_STOPPED % {"depth": 4}
