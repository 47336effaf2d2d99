"""Periodic duties of the clinic package, registered in clinic.dispatch.SWEEPERS."""

from datetime import datetime

from clinic.access_log_anchor import access_log_anchor_write
from clinic.queueing import scheduled_jobs_enqueue_due


def access_log_anchor(now: datetime) -> int:
    return access_log_anchor_write(now=now)


def rq_scheduled_jobs(now: datetime) -> int:
    return scheduled_jobs_enqueue_due()
