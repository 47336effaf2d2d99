"""Background runs that say they are alive: claiming a row, its heartbeat, and the
rule that settles a run whose worker died.

A background run (a report export, an HL7 or 835 upload) is a row with ``status``
(pending → running → done | failed), ``attempts``, ``started_at`` and
``heartbeat_at``. The job claims the row (pending → running, one more attempt), and
while it works a thread stamps ``heartbeat_at`` every few seconds on a connection
of its own, so the stamp commits even while the work holds a long transaction; the
same thread writes the progress the work reports, so the page's progress bar moves
whatever the work's transactions. A worker that is killed stops beating; the
sweeper then re-queues the row (or fails it after ``MAX_ATTEMPTS``) within minutes.

Every write is a ``save()`` with its history row (a beat's reason is "heartbeat"),
as everywhere else; beats are a few seconds apart, so a run of some minutes leaves
a few dozen. The attempt number is the run's lease: once the row was queued again
(or finished) under it, the beat stops, tells the run (``Beat.lost``), and the run
stops before its next step.
"""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connections, models, transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=2)
LOST_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 3

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
EXPIRED = "expired"


class RunLost(Exception):
    """This run's row was given up on and queued again (or finished) meanwhile:
    the run stops and writes nothing more."""


def run_claim(
    model: type[models.Model], pk: int, *, prepare: Callable | None = None
) -> models.Model | None:
    """Take a pending run: running, one more attempt, started and beating now.
    None when the row is not pending (done, running elsewhere, or missing), so a
    job that runs twice does the work once. ``prepare(row)`` may set more fields,
    written with the claim.
    """
    with transaction.atomic():
        row = (
            model.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=PENDING)
            .first()
        )
        if row is None:
            return None
        now = timezone.now()
        row.status = RUNNING
        row.attempts += 1
        row.started_at = now
        row.heartbeat_at = now
        if prepare is not None:
            prepare(row)
        row.save()
    return row


def run_still_mine(row: models.Model) -> bool:
    """Whether ``row`` is still running under this attempt (not re-queued since)."""
    return (
        type(row)
        .objects.filter(pk=row.pk, status=RUNNING, attempts=row.attempts)
        .exists()
    )


class Beat:
    """What a running job tells its heartbeat thread (the progress to write), and
    what the thread tells the job (``lost``: the row is no longer this run's)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._fields: dict = {}
        self.lost = False

    def check(self) -> None:
        """Raise RunLost once the beat found the row queued again or finished."""
        if self.lost:
            raise RunLost("the row is no longer this run's")

    def progress(self, **fields) -> None:
        with self._lock:
            self._fields.update(fields)

    def take(self) -> dict:
        with self._lock:
            fields, self._fields = self._fields, {}
        return fields


def _stamp(row: models.Model, fields: dict) -> bool:
    """Write the beat (and progress) on the row; False when it is no longer this
    run's."""
    with transaction.atomic():
        current = (
            type(row)
            .objects.select_for_update()
            .filter(pk=row.pk, status=RUNNING, attempts=row.attempts)
            .first()
        )
        if current is None:
            return False
        current.heartbeat_at = timezone.now()
        for name, value in fields.items():
            setattr(current, name, value)
        current._change_reason = "heartbeat"
        current.save(update_fields=["heartbeat_at", *fields])
    return True


@contextmanager
def heartbeat(row: models.Model, *, every: float | None = None) -> Iterator[Beat]:
    """Stamp the running ``row`` every ``every`` seconds (and write the progress
    given to the yielded ``Beat``) until the block ends; the last progress is
    written on the way out."""
    every = settings.BACKGROUND_HEARTBEAT_SECONDS if every is None else every
    beat = Beat()
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(every):
                try:
                    if not _stamp(row, beat.take()):
                        beat.lost = True
                        return
                except DatabaseError:
                    # A busy database (SQLite's write lock) skips a beat, no more.
                    logger.warning(
                        "Heartbeat of %s %s skipped", row._meta.label, row.pk
                    )
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(
        target=run, name=f"heartbeat-{row._meta.label_lower}-{row.pk}", daemon=True
    )
    thread.start()
    try:
        yield beat
    finally:
        stop.set()
        thread.join(timeout=every + 30)
        last = beat.take()
        if last:
            try:
                _stamp(row, last)
            except DatabaseError:  # the job's own outcome is written after this
                logger.warning("Last progress of %s %s lost", row._meta.label, row.pk)


def run_finish(row: models.Model, *, status: str, change_reason: str, **fields):
    """The run's outcome, written only while the row is still this run's."""
    with transaction.atomic():
        if not (
            type(row)
            .objects.select_for_update()
            .filter(pk=row.pk, status=RUNNING, attempts=row.attempts)
            .exists()
        ):
            raise RunLost(f"{row._meta.label} {row.pk} attempt {row.attempts}")
        row.refresh_from_db()
        row.status = status
        row.finished_at = timezone.now()
        for name, value in fields.items():
            setattr(row, name, value)
        row._change_reason = change_reason
        row.save()
    return row


def pending_runs_requeue(model: type[models.Model], *, now: datetime, requeue) -> int:
    """Rows still pending ``LOST_AFTER`` after they were asked for: their enqueue
    was lost (Redis down). A second copy of a job finds the row claimed."""
    count = 0
    for row in model.objects.filter(status=PENDING, created_at__lte=now - LOST_AFTER):
        requeue(row)
        count += 1
    return count


def stale_runs(model: type[models.Model], *, now: datetime) -> models.QuerySet:
    """Running rows whose worker stopped beating ``STALE_AFTER`` ago (rows from
    before heartbeats count from their start)."""
    limit = now - STALE_AFTER
    return model.objects.filter(status=RUNNING).filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, started_at__lt=limit)
    )


def stale_runs_settle(
    model: type[models.Model],
    *,
    now: datetime,
    requeue,
    failed_message: str,
    cleanup=None,
) -> int:
    """Each run whose worker died: ``cleanup(row)`` (its partial file), then back
    to pending and ``requeue(row)`` (after commit), or failed with
    ``failed_message`` once it has had ``MAX_ATTEMPTS``. Returns how many."""
    settled = 0
    for pk in stale_runs(model, now=now).values_list("pk", flat=True):
        with transaction.atomic():
            row = (
                stale_runs(model, now=now)
                .select_for_update(skip_locked=True)
                .filter(pk=pk)
                .first()
            )
            if row is None:
                continue
            if cleanup is not None:
                cleanup(row)
            if row.attempts >= MAX_ATTEMPTS:
                row.status = FAILED
                row.error = failed_message
                row.finished_at = now
                row._change_reason = "worker stopped; failed after its last attempt"
                row.save()
            else:
                row.status = PENDING
                row._change_reason = "worker stopped; queued again"
                row.save()
                requeue(row)
            settled += 1
    return settled


def runs_sweep(
    model: type[models.Model],
    *,
    now: datetime,
    requeue,
    stopped,
    cleanup=None,
    expire=None,
) -> int:
    """A sweeper's whole round for one kind of run: done rows past ``expires_at``
    lose their files (``expire(row)``) and become expired; runs whose worker died
    are settled (``stale_runs_settle``, failed with ``stopped`` formatted with the
    attempts); lost enqueues are sent again. Returns how many rows it handled."""
    handled = 0
    if expire is not None:
        for row in model.objects.filter(status=DONE, expires_at__lte=now):
            expire(row)
            row.status = EXPIRED
            row.save()
            handled += 1
    handled += stale_runs_settle(
        model,
        now=now,
        requeue=requeue,
        cleanup=cleanup,
        failed_message=str(stopped).format(attempts=MAX_ATTEMPTS),
    )
    return handled + pending_runs_requeue(model, now=now, requeue=requeue)
