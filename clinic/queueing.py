"""Do this after commit: the one place that hands work to RQ.

Every enqueue, immediate or scheduled, waits for the surrounding transaction to
commit, so a rolled-back change never starts a job. Without ``REDIS_URL`` (the
embedded default) the job runs in this process right after commit instead; scheduled
work is then picked up by ``dispatch_due``, which ``make run`` keeps running.

Job arguments are ids only (int or UUID): no patient data ever sits in Redis.

A service names its job by dotted path (``"billing.jobs.batch_transmit_job"``): the
job module imports the service it calls, so the service does not import the job
module back (no import cycle, no function-local import to dodge one).
"""

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

ID_TYPES = (int, uuid.UUID)


def check_job_args(args: tuple) -> None:
    """Refuse anything but ids as job arguments."""
    for arg in args:
        if isinstance(arg, bool) or not isinstance(arg, ID_TYPES):
            raise TypeError(
                f"Job arguments must be ids (int or UUID), not {type(arg).__name__}: "
                "pass the row's id and re-fetch it in the job."
            )


def enqueue_on_commit(
    func: Callable | str, *args, queue: str = "default", at: datetime | None = None
) -> None:
    """Enqueue ``func(*args)`` on ``queue`` once the current transaction commits;
    ``func`` is the job or its dotted path.

    ``at`` schedules the job for later: RQ's scheduler (``rqworker --with-scheduler``)
    moves it to its queue when due, or ``dispatch_due`` does when no scheduler runs
    (``scheduled_jobs_enqueue_due``).
    """
    check_job_args(args)
    if isinstance(func, str):
        import_string(func)  # a wrong path fails here, in the caller, not in RQ
    if queue not in settings.JOB_QUEUES:
        raise ValueError(f"Unknown queue {queue!r}; known: {settings.JOB_QUEUES}")

    if settings.JOBS_INLINE:

        def run_inline() -> None:
            if at is not None and at > timezone.now():
                return  # dispatch_due runs it when due
            (import_string(func) if isinstance(func, str) else func)(*args)

        transaction.on_commit(run_inline, robust=True)
        return

    def send() -> None:
        import django_rq

        rq_queue = django_rq.get_queue(queue)
        if at is not None and at > timezone.now():
            rq_queue.enqueue_at(at, func, *args)
        else:
            rq_queue.enqueue(func, *args)

    transaction.on_commit(send, robust=True)


def scheduled_jobs_enqueue_due() -> int:
    """Do RQ's scheduler's work for every queue whose scheduler is not running: move
    the scheduled jobs that are due into their queue. Returns how many moved.

    RQ's scheduler runs in a child of ``rqworker --with-scheduler``, which did not
    come back after Redis restarted; ``dispatch_due`` covers for it. It takes RQ's
    own per-queue scheduler lock, so it only acts where no live scheduler holds
    it, and the two never move the same job."""
    if settings.JOBS_INLINE:
        return 0  # scheduled work waits in the database for dispatch_due
    import django_rq
    from rq.registry import ScheduledJobRegistry
    from rq.scheduler import RQScheduler
    from rq.utils import current_timestamp

    connection = django_rq.get_connection(settings.JOB_QUEUES[0])
    scheduler = RQScheduler(
        settings.JOB_QUEUES, connection=connection, logging_level=logging.WARNING
    )
    queues = scheduler.acquire_locks()
    try:
        due = sum(
            len(
                ScheduledJobRegistry(name, connection=connection).get_jobs_to_schedule(
                    current_timestamp()
                )
            )
            for name in queues
        )
        if due:
            scheduler.enqueue_scheduled_jobs()
    finally:
        scheduler.release_locks()
    return due
