"""When an order's doses are due (the dose times): pure functions, no database.

"Every N hours" counts elapsed time (so across a DST change the local clock times
shift by an hour); "at fixed times daily" follows the wall clock in the clinic's time
zone (09:00 stays 09:00). A fixed time that does not exist on the spring-forward day
(02:30) is given at the same elapsed offset, i.e. 03:30; one that happens twice on the
fall-back day is due once, at its first occurrence.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from clinic.clock import clinic_zone


def parse_time_of_day(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def _local_wall_time(day, at: time, zone: ZoneInfo) -> datetime:
    """The aware moment of wall-clock ``at`` on ``day`` (fold=0: first occurrence)."""
    naive = datetime.combine(day, at)
    moment = naive.replace(tzinfo=zone)
    # Round-trip through UTC: a non-existent wall time comes back normalised.
    return moment.astimezone(ZoneInfo("UTC"))


def due_times(order, *, start: datetime, end: datetime) -> list[datetime]:
    """The due moments (UTC) of ``order`` in [start, end), within the order's life."""
    Frequency = type(order).Frequency
    utc = ZoneInfo("UTC")
    # Arithmetic on aware datetimes of one zone is wall-clock arithmetic: in UTC it
    # is elapsed time.
    start_at = order.start_at.astimezone(utc)
    lower = max(start, start_at).astimezone(utc)
    upper = (min(end, order.end_at) if order.end_at else end).astimezone(utc)
    if lower >= upper:
        return []
    if order.frequency == Frequency.ONCE:
        return [start_at] if lower <= start_at < upper else []
    if order.frequency == Frequency.INTERVAL:
        step = timedelta(hours=order.interval_hours)
        skipped = max(0, int((lower - start_at) / step))
        moment = start_at + skipped * step
        found = []
        while moment < upper:
            if moment >= lower:
                found.append(moment)
            moment += step
        return found
    if order.frequency == Frequency.TIMES:
        zone = clinic_zone()
        times = sorted(parse_time_of_day(text) for text in order.times_of_day)
        day = timezone.localtime(lower, zone).date() - timedelta(days=1)
        last_day = timezone.localtime(upper, zone).date() + timedelta(days=1)
        found = []
        while day <= last_day:
            for at in times:
                moment = _local_wall_time(day, at, zone)
                if lower <= moment < upper and moment not in found:
                    found.append(moment)
            day += timedelta(days=1)
        return sorted(found)
    return []  # PRN: doses are made when given
