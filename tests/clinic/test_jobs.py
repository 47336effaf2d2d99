"""The outbox and RQ: after commit only, once, ids only, nothing lost without Redis."""

import os
import subprocess
import sys
from datetime import timedelta

import django_rq
import pytest
from django.db import connection, transaction
from django.utils import timezone

from clinic.dispatch import dispatch_due
from clinic.jobs import run_deferred_job
from clinic.models import DeferredJob
from clinic.queueing import enqueue_on_commit
from clinic.services import (
    REENQUEUE_AFTER,
    deferred_job_create,
    deferred_job_run,
)
from tests.clinic import jobs_for_tests
from tests.conftest import ROOT

RECORD = "tests.clinic.jobs_for_tests.record_run"
FAILS = "tests.clinic.jobs_for_tests.always_fails"


def _runs(marker: int) -> int:
    return int(django_rq.get_connection("default").get(f"test:runs:{marker}") or 0)


@pytest.mark.django_db(transaction=True)
def test_a_job_queued_in_a_transaction_runs_once_after_commit(run_rq_worker):
    queue = django_rq.get_queue("default")
    with transaction.atomic():
        job = deferred_job_create(func=RECORD, args=[101])
        assert queue.count == 0, "nothing reaches Redis before commit"
    assert queue.count == 1

    run_rq_worker("default")
    job.refresh_from_db()
    assert job.status == DeferredJob.Status.DONE
    assert _runs(101) == 1

    # Enqueued a second time (a sweeper and a retry racing): still one run.
    queue.enqueue(run_deferred_job, job.pk)
    run_rq_worker("default")
    assert _runs(101) == 1


@pytest.mark.django_db(transaction=True)
def test_a_job_queued_in_a_rolled_back_transaction_never_runs(run_rq_worker):
    queue = django_rq.get_queue("default")
    with pytest.raises(RuntimeError), transaction.atomic():
        deferred_job_create(func=RECORD, args=[102])
        raise RuntimeError("the booking failed")
    assert queue.count == 0
    assert DeferredJob.objects.count() == 0
    run_rq_worker("default")
    assert _runs(102) == 0


@pytest.mark.django_db(transaction=True)
def test_scheduled_enqueues_also_wait_for_commit(redis_url):
    queue = django_rq.get_queue("reports")
    later = timezone.now() + timedelta(hours=1)
    with transaction.atomic():
        enqueue_on_commit(jobs_for_tests.record_run, 103, queue="reports", at=later)
        assert queue.scheduled_job_registry.count == 0
    assert queue.scheduled_job_registry.count == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(jobs_for_tests.record_run, 104, queue="reports", at=later)
        raise RuntimeError
    assert queue.scheduled_job_registry.count == 1


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["Jane Doe", {"patient": 1}, 1.5, True, None])
def test_job_arguments_must_be_ids(bad):
    with pytest.raises(TypeError, match="ids"):
        enqueue_on_commit(jobs_for_tests.record_run, bad)
    with pytest.raises(TypeError, match="ids"):
        deferred_job_create(func=RECORD, args=[bad])


def test_the_enqueue_hook_catches_patient_data_sent_around_the_helper(redis_url):
    queue = django_rq.get_queue("default")
    before = queue.count  # earlier tests on this worker may have left jobs queued
    with pytest.raises(TypeError):
        queue.enqueue(jobs_for_tests.record_run, "Jane Doe, born 1950-01-01")
    with pytest.raises(AssertionError):
        queue.enqueue(jobs_for_tests.record_run, 1, note="Jane Doe")
    assert queue.count == before


@pytest.mark.django_db
def test_a_failing_job_is_retried_with_backoff_then_marked_failed():
    job = DeferredJob.objects.create(func=FAILS, args=[1], max_attempts=3)
    assert deferred_job_run(job_id=job.pk) == DeferredJob.Status.PENDING
    job.refresh_from_db()
    assert job.attempts == 1
    assert "failure 1 on purpose" in job.last_error
    first_delay = job.run_after - timezone.now()
    assert timedelta(seconds=20) < first_delay <= timedelta(seconds=30)
    assert deferred_job_run(job_id=job.pk) is None, "not due yet: nothing runs"

    for attempt in (2, 3):
        job.run_after = timezone.now()
        job.save()
        deferred_job_run(job_id=job.pk)
        job.refresh_from_db()
        assert job.attempts == attempt
    assert job.status == DeferredJob.Status.FAILED
    assert job.finished_at is not None


@pytest.mark.django_db
def test_a_job_whose_work_fails_leaves_none_of_its_writes():
    from tests.scheduling.factories import LocationFactory

    location = LocationFactory(name="Main Street")
    job = DeferredJob.objects.create(
        func="tests.clinic.jobs_for_tests.renames_then_fails",
        args=[location.pk],
        max_attempts=1,
    )
    deferred_job_run(job_id=job.pk)
    job.refresh_from_db()
    location.refresh_from_db()
    assert job.status == DeferredJob.Status.FAILED
    assert "failed after writing" in job.last_error
    assert location.name == "Main Street"


@pytest.mark.django_db(transaction=True)
def test_nothing_is_lost_when_redis_is_down(settings, run_rq_worker, redis_url):
    healthy = {name: dict(conf) for name, conf in settings.RQ_QUEUES.items()}
    for conf in settings.RQ_QUEUES.values():
        conf["URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        with transaction.atomic():
            job = deferred_job_create(func=RECORD, args=[105])
    finally:
        for name, conf in healthy.items():
            settings.RQ_QUEUES[name].update(conf)
    job.refresh_from_db()
    assert job.status == DeferredJob.Status.PENDING  # the change itself committed
    assert django_rq.get_queue("default").count == 0

    # The sweeper hands it on once it has waited long enough for the lost enqueue.
    assert dispatch_due(now=timezone.now())["clinic.sweepers.deferred_jobs"] == 0
    later = timezone.now() + REENQUEUE_AFTER + timedelta(seconds=1)
    assert dispatch_due(now=later)["clinic.sweepers.deferred_jobs"] == 1
    run_rq_worker("default")
    assert _runs(105) == 1


def _dispatch_process(redis_url):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "dispatch_due"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_hand_each_due_job_on_once(redis_url, run_rq_worker):
    due = timezone.now() - timedelta(minutes=1)
    jobs = [
        DeferredJob.objects.create(func=RECORD, args=[200 + n], run_after=due)
        for n in range(40)
    ]
    first, second = _dispatch_process(redis_url), _dispatch_process(redis_url)
    outputs = [proc.communicate(timeout=120) for proc in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    assert django_rq.get_queue("default").count == 40

    run_rq_worker("default")
    assert [_runs(200 + n) for n in range(40)] == [1] * 40
    assert {
        job.status for job in DeferredJob.objects.filter(pk__in=[j.pk for j in jobs])
    } == {DeferredJob.Status.DONE}


@pytest.mark.django_db
def test_embedded_mode_runs_the_job_in_process_after_commit(
    settings, django_capture_on_commit_callbacks
):
    settings.JOBS_INLINE = True
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = deferred_job_create(func="clinic.dispatch.dispatch_due", args=[])
        job_status_before_commit = DeferredJob.objects.get(pk=job.pk).status
    assert job_status_before_commit == DeferredJob.Status.PENDING
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == DeferredJob.Status.DONE
