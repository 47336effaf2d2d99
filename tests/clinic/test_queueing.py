"""clinic.queueing: after commit only, ids only, the embedded mode in process."""

from datetime import timedelta

import django_rq
import pytest
from django.db import transaction
from django.utils import timezone

from clinic.queueing import enqueue_on_commit
from tests.clinic import jobs_for_tests


def _runs(marker: int) -> int:
    return int(django_rq.get_connection("default").get(f"test:runs:{marker}") or 0)


@pytest.mark.django_db(transaction=True)
def test_a_job_queued_in_a_transaction_runs_once_after_commit(run_rq_worker):
    queue = django_rq.get_queue("default")
    before = queue.count
    with transaction.atomic():
        enqueue_on_commit(jobs_for_tests.record_run, 101)
        assert queue.count == before, "nothing reaches Redis before commit"
    assert queue.count == before + 1
    run_rq_worker("default")
    assert _runs(101) == 1


@pytest.mark.django_db(transaction=True)
def test_a_job_queued_in_a_rolled_back_transaction_never_runs(run_rq_worker):
    queue = django_rq.get_queue("default")
    before = queue.count
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(jobs_for_tests.record_run, 102)
        raise RuntimeError("the booking failed")
    assert queue.count == before
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


def test_the_enqueue_hook_catches_patient_data_sent_around_the_helper(redis_url):
    queue = django_rq.get_queue("default")
    before = queue.count  # earlier tests on this worker may have left jobs queued
    with pytest.raises(TypeError):
        queue.enqueue(jobs_for_tests.record_run, "Jane Doe, born 1950-01-01")
    with pytest.raises(AssertionError):
        queue.enqueue(jobs_for_tests.record_run, 1, note="Jane Doe")
    assert queue.count == before


@pytest.mark.django_db
def test_embedded_mode_runs_the_job_in_process_after_commit(
    settings, django_capture_on_commit_callbacks
):
    settings.JOBS_INLINE = True
    runs = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue_on_commit(runs.append, 7)
        assert runs == [], "nothing runs before commit"
    assert len(callbacks) == 1
    assert runs == [7]
