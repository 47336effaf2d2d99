"""The clinic's clock: its time zone, its day, and wall-clock times on a day.

The one source of the zone is the ``TIME_ZONE`` setting (``CLINIC_TIME_ZONE`` in the
environment). Moments are stored and compared in UTC: arithmetic on datetimes that
share a zoneinfo tzinfo is wall-clock arithmetic in Python, wrong across a
daylight-saving change, so the helpers here return UTC.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone


def clinic_zone() -> ZoneInfo:
    return timezone.get_default_timezone()


def now() -> datetime:
    return timezone.now()


def today(moment: datetime | None = None) -> date:
    """The day on the clinic's clocks at ``moment`` (default: now)."""
    return (moment or timezone.now()).astimezone(clinic_zone()).date()


def at_local(day: date, wall_clock: time) -> datetime:
    """The instant (in UTC) when the clinic's clocks show ``wall_clock`` on ``day``."""
    return datetime.combine(day, wall_clock, tzinfo=clinic_zone()).astimezone(UTC)


def local_midnight(day: date) -> datetime:
    return at_local(day, time(0, 0))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The clinic's ``day`` as [start, end) instants (23 or 25 hours on DST days)."""
    return local_midnight(day), local_midnight(day + timedelta(days=1))
