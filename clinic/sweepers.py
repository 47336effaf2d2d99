"""Periodic duties of the clinic package, registered in clinic.dispatch.SWEEPERS."""

from datetime import datetime

from clinic import services


def deferred_jobs(now: datetime) -> int:
    return services.deferred_jobs_dispatch_due(now=now)
