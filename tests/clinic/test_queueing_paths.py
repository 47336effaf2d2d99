"""A job named by dotted path: a service enqueues it without importing the job
module (which imports the service), in RQ and in the embedded mode alike."""

import django_rq
import pytest
from django.db import transaction

from clinic.queueing import enqueue_on_commit

RECORD = "tests.clinic.jobs_for_tests.record_run"


def _runs(marker: int) -> int:
    return int(django_rq.get_connection("default").get(f"test:runs:{marker}") or 0)


@pytest.mark.django_db(transaction=True)
def test_a_job_named_by_path_runs_once_after_commit_in_a_worker(run_rq_worker):
    queue = django_rq.get_queue("default")
    with transaction.atomic():
        enqueue_on_commit(RECORD, 9301)
        assert queue.count == 0
    assert queue.count == 1
    run_rq_worker("default")
    assert _runs(9301) == 1


@pytest.mark.django_db(transaction=True)
def test_a_job_named_by_path_runs_in_process_without_redis(settings, redis_url):
    settings.JOBS_INLINE = True
    with transaction.atomic():
        enqueue_on_commit(RECORD, 9302)
        assert _runs(9302) == 0
    assert _runs(9302) == 1


@pytest.mark.django_db
def test_a_wrong_path_fails_in_the_caller():
    with pytest.raises(ImportError):
        enqueue_on_commit("tests.clinic.jobs_for_tests.no_such_job", 1)
