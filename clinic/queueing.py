"""Do this after commit: the one place that hands work to RQ.

Every enqueue, immediate or scheduled, waits for the surrounding transaction to
commit, so a rolled-back change never starts a job. Without ``REDIS_URL`` (the
embedded default) the job runs in this process right after commit instead; scheduled
work is then picked up by ``dispatch_due``, which ``make run`` keeps running.

Job arguments are ids only (int or UUID): no patient data ever sits in Redis.
"""

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

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
    func: Callable, *args, queue: str = "default", at: datetime | None = None
) -> None:
    """Enqueue ``func(*args)`` on ``queue`` once the current transaction commits.

    ``at`` schedules the job for later (RQ's scheduler, ``rqworker --with-scheduler``).
    """
    check_job_args(args)
    if queue not in settings.JOB_QUEUES:
        raise ValueError(f"Unknown queue {queue!r}; known: {settings.JOB_QUEUES}")

    if settings.JOBS_INLINE:

        def run_inline() -> None:
            if at is not None and at > timezone.now():
                return  # dispatch_due runs it when due
            func(*args)

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
