import math
from datetime import datetime

from django.conf import settings

from alerts import outbox as sender
from alerts import services
from alerts.jobs import notifications_send_due_job
from clinic.queueing import enqueue_on_commit

# dispatch_due starts at most this many sending jobs at once (one per worker).
SENDING_JOBS = 4


def escalate_alerts(now: datetime) -> int:
    return services.alerts_escalate_due(now=now)


def send_due_notifications(now: datetime) -> int:
    """Settle rows stuck in "sending", then hand every due row to the sender: RQ
    jobs on the ``notifications`` queue, or (embedded default) right here."""
    sender.notifications_recover(now=now)
    due = sender.due_count(now=now)
    if not due:
        return 0
    if settings.JOBS_INLINE:
        return sender.notifications_send_due(now=now)
    for _ in range(min(SENDING_JOBS, math.ceil(due / sender.BATCH))):
        enqueue_on_commit(notifications_send_due_job, queue="notifications")
    return due
