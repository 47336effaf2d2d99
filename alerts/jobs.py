"""RQ entry points of the outbox (queue ``notifications``): ids only, idempotent."""

from django.utils import timezone

from alerts import outbox as sender
from clinic.queueing import enqueue_on_commit

# One job sends at most this many rows, then hands on to a fresh job (so a job
# never nears RQ's timeout and other queued work gets its turn).
ROWS_PER_JOB = 2000


def notification_send_job(notification_id: int) -> str:
    """Send one row if it is still pending and due (else nothing)."""
    return sender.notification_send(notification_id=notification_id)


def notifications_send_due_job() -> int:
    """Send due rows in batches; enqueue a successor while rows are left."""
    sent = sender.notifications_send_due(max_rows=ROWS_PER_JOB)
    if sent >= ROWS_PER_JOB and sender.due_count(now=timezone.now()):
        enqueue_on_commit(notifications_send_due_job, queue="notifications")
    return sent
