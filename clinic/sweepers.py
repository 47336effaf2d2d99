"""Periodic duties of the clinic package, registered in clinic.dispatch.SWEEPERS."""

from datetime import datetime


def access_log_anchor(now: datetime) -> int:
    from clinic.access_log_anchor import access_log_anchor_write

    return access_log_anchor_write(now=now)


def rq_scheduled_jobs(now: datetime) -> int:
    from clinic.queueing import scheduled_jobs_enqueue_due

    return scheduled_jobs_enqueue_due()
