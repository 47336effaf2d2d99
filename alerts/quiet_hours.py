"""When a message bound to a visit may go out: never inside its quiet hours (the
clinic's local time) and never closer to the visit than ``LAST_CALL``. Small pure
functions, shared by the sender (at send time) and the reminders that automations
write ahead into the outbox.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinic.clock import clinic_zone

# A send never happens closer to the visit than this (the patient is on the way).
LAST_CALL = timedelta(minutes=30)


def in_quiet_hours(local: time, *, quiet_start: time, quiet_end: time) -> bool:
    """Quiet hours may wrap midnight (21:00-08:00) or not (12:00-13:00)."""
    if quiet_start == quiet_end:
        return False
    if quiet_start < quiet_end:
        return quiet_start <= local < quiet_end
    return local >= quiet_start or local < quiet_end


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """``day`` at wall-clock ``moment`` in ``zone``, as UTC. A wall time that does
    not exist (spring forward) lands after the gap (02:30 → 03:30); one that
    happens twice (fall back) is the first (fold=0, PEP 495)."""
    naive = datetime.combine(day, moment)
    aware = naive.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC)


def quiet_hours_end(
    moment: datetime, *, quiet_start: time, quiet_end: time, zone: ZoneInfo
) -> datetime:
    """The first allowed moment at or after ``moment``."""
    local = moment.astimezone(zone)
    if not in_quiet_hours(local.time(), quiet_start=quiet_start, quiet_end=quiet_end):
        return moment
    day = local.date()
    if quiet_start > quiet_end and local.time() >= quiet_start:
        day += timedelta(days=1)
    return _at(day, quiet_end, zone)


def quiet_hours_start_before(
    moment: datetime, *, quiet_start: time, quiet_end: time, zone: ZoneInfo
) -> datetime:
    """The last allowed minute before the quiet hours that hold ``moment`` began."""
    local = moment.astimezone(zone)
    day = local.date()
    if quiet_start > quiet_end and local.time() < quiet_end:
        day -= timedelta(days=1)
    return _at(day, quiet_start, zone) - timedelta(minutes=1)


def send_time(
    *,
    start: datetime,
    hours_before: int,
    quiet_start: time,
    quiet_end: time,
    now: datetime,
    zone: ZoneInfo | None = None,
) -> datetime | None:
    """When a reminder ``hours_before`` a visit at ``start`` goes out, or None.

    The ideal moment is ``hours_before`` real hours before the start (so a change of
    clocks between them does not shift it). Inside the quiet hours it moves to their
    end; when that would be too close to the visit (less than ``LAST_CALL`` before),
    it moves back to the last minute before the quiet hours began instead. A moment
    already past (booked late) is None: a later rule covers it.
    """
    zone = zone or clinic_zone()
    start = start.astimezone(UTC)
    ideal = start - timedelta(hours=hours_before)
    moment = quiet_hours_end(
        ideal, quiet_start=quiet_start, quiet_end=quiet_end, zone=zone
    )
    if moment > start - LAST_CALL:
        moment = quiet_hours_start_before(
            ideal, quiet_start=quiet_start, quiet_end=quiet_end, zone=zone
        )
    if moment < now - timedelta(minutes=5) or moment > start - LAST_CALL:
        return None
    return max(moment, now)
