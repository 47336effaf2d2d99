"""RQ entry points of the outbox (queue ``notifications``): ids only, idempotent."""

from alerts import outbox as sender

# One job sends at most this many rows, then hands on to a fresh job (so a job
# never nears RQ's timeout and other queued work gets its turn).
ROWS_PER_JOB = 2000


def notification_send_job(notification_id: int) -> str:
    """Send one row if it is still pending and due (else nothing)."""
    return sender.notification_send(notification_id=notification_id)


def notifications_send_due_job() -> int:
    """Send due rows in batches; enqueue a successor while rows are left."""
    from django.utils import timezone

    from clinic.queueing import enqueue_on_commit

    sent = sender.notifications_send_due(max_rows=ROWS_PER_JOB)
    if sent >= ROWS_PER_JOB and sender.due_count(now=timezone.now()):
        enqueue_on_commit(notifications_send_due_job, queue="notifications")
    return sent


def reminders_refresh_job(rule_id: int) -> int:
    """Pending reminders of an edited or switched-off rule follow it."""
    from alerts.services import reminders_refresh

    return reminders_refresh(rule_id=rule_id)
