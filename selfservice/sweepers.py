"""The self-service sweeper (listed in ``clinic.dispatch.SWEEPERS``)."""

from datetime import datetime

from selfservice.services import intakes_missing_publish


def intakes_missing(now: datetime) -> int:
    return intakes_missing_publish(now=now)
