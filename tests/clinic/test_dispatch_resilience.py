"""The sweeper survives (issue #15, F9 and F17).

``dispatch_due --loop`` (what `make run` keeps beside the server) outlives a database
that goes away and comes back; and ``dispatch_due`` does RQ's scheduler's work for
queues whose scheduler (a child of ``rqworker --with-scheduler`` that did not come
back after Redis restarted) is not running.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta

import django_rq
import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from rq.scheduler import RQScheduler

from clinic.dispatch import dispatch_due
from tests.clinic import jobs_for_tests
from tests.conftest import ROOT

APP_NAME = "dispatch-loop-test"


@pytest.fixture(autouse=True)
def _empty_queues(redis_url):
    """Other tests of this worker count what sits in the queues: leave them empty."""

    def empty():
        for name in ("default", "reports"):
            queue = django_rq.get_queue(name)
            queue.empty()
            # A scheduler lock left by another test's process (it lives a minute).
            queue.connection.delete(RQScheduler.get_locking_key(name))
            registry = queue.scheduled_job_registry
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)

    empty()
    yield
    empty()


def _runs(marker: int) -> int:
    return int(django_rq.get_connection("default").get(f"test:runs:{marker}") or 0)


def _wait_for(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout} s for {what}")


def _loop_backends(owner_connection) -> list[int]:
    rows = owner_connection.execute(
        "SELECT pid FROM pg_stat_activity WHERE application_name = %s "
        "AND datname = current_database()",
        [APP_NAME],
    ).fetchall()
    return [pid for (pid,) in rows]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_the_loop_carries_on_after_the_database_went_away(redis_url, owner_connection):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "PGAPPNAME": APP_NAME,
        "DB_CONNECT_TIMEOUT": "2",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "dispatch_due", "--loop", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    name = connection.ops.quote_name(db["NAME"])
    # ALTER DATABASE is run from another database (here the maintenance one).
    server = psycopg.connect(
        **{**owner_connection.info.get_parameters(), "dbname": "postgres"},
        password=owner_connection.info.password or None,
        autocommit=True,
    )
    try:
        _wait_for(lambda: _loop_backends(owner_connection), 90, "the loop to connect")
        # A restart, as the loop sees it: its connection is cut and, for a few
        # runs, no new one is accepted.
        server.execute(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false")
        try:
            for pid in _loop_backends(owner_connection):
                owner_connection.execute("SELECT pg_terminate_backend(%s)", [pid])
            time.sleep(5)
            assert process.poll() is None, process.communicate()
        finally:
            server.execute(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true")
            server.close()
        # Back: due work is handed on again by the same process (here a scheduled
        # job, due, that no RQ scheduler moves).
        queue = django_rq.get_queue("default")
        queue.enqueue_at(
            timezone.now() - timedelta(seconds=5), jobs_for_tests.record_run, 300
        )
        _wait_for(lambda: queue.count == 1, 90, "the loop to hand the job on")
        assert queue.scheduled_job_registry.count == 0
        assert process.poll() is None
    finally:
        process.terminate()
        try:
            _out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()  # never left to move the next test's jobs
            _out, err = process.communicate()
            raise AssertionError(f"the loop ignored its stop:\n{err[-3000:]}") from None
    assert "dispatch_due: this run failed (OperationalError: " in err
    assert "trying again in 1 s with a new database connection" in err


@pytest.mark.django_db(transaction=True)
def test_dispatch_due_moves_due_scheduled_jobs_when_no_scheduler_runs(
    redis_url, run_rq_worker
):
    queue = django_rq.get_queue("default")
    queue.enqueue_at(
        timezone.now() - timedelta(seconds=5), jobs_for_tests.record_run, 301
    )
    run_rq_worker("default")  # a worker whose scheduler is gone: nothing moves
    assert (queue.scheduled_job_registry.count, _runs(301)) == (1, 0)

    assert dispatch_due()["clinic.sweepers.rq_scheduled_jobs"] == 1
    assert (queue.scheduled_job_registry.count, queue.count) == (0, 1)
    run_rq_worker("default")
    assert _runs(301) == 1
    assert dispatch_due()["clinic.sweepers.rq_scheduled_jobs"] == 0


@pytest.mark.django_db(transaction=True)
def test_a_live_scheduler_keeps_its_queue(redis_url):
    queue = django_rq.get_queue("default")
    live = RQScheduler(["default"], connection=django_rq.get_connection("default"))
    assert live.acquire_locks() == {"default"}
    try:
        queue.enqueue_at(
            timezone.now() - timedelta(seconds=5), jobs_for_tests.record_run, 302
        )
        later = timezone.now() + timedelta(hours=1)
        django_rq.get_queue("reports").enqueue_at(later, jobs_for_tests.record_run, 303)
        assert dispatch_due()["clinic.sweepers.rq_scheduled_jobs"] == 0
        assert (queue.scheduled_job_registry.count, queue.count) == (1, 0)
        assert django_rq.get_queue("reports").scheduled_job_registry.count == 1
    finally:
        live.release_locks()
    # Its lock released (the scheduler died), the sweeper takes the queue over.
    assert dispatch_due()["clinic.sweepers.rq_scheduled_jobs"] == 1
    assert queue.count == 1
