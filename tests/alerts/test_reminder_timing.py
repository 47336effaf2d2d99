"""The outbox's pure timing functions: when a reminder fires (quiet hours, DST),
and how many SMS a text takes."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from alerts.quiet_hours import send_time
from alerts.sms_segments import sms_segments

NY = ZoneInfo("America/New_York")
QUIET = {"quiet_start": time(21), "quiet_end": time(8)}


def _ny(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


def _when(start, hours, now=None, zone=NY, **quiet):
    return send_time(
        start=start,
        hours_before=hours,
        now=now or start - timedelta(days=10),
        zone=zone,
        **(quiet or QUIET),
    )


def test_a_reminder_outside_quiet_hours_fires_exactly_hours_before():
    assert _when(_ny(2026, 3, 4, 14, 0), 24) == _ny(2026, 3, 3, 14, 0)


def test_a_send_inside_quiet_hours_moves_to_the_end_of_them():
    # 24 h before a 07:30 visit is 07:30 the day before: quiet until 08:00.
    assert _when(_ny(2026, 3, 4, 7, 30), 24) == _ny(2026, 3, 3, 8, 0)
    # 2 h before a 22:30 visit is 20:30: allowed.
    assert _when(_ny(2026, 3, 4, 22, 30), 2) == _ny(2026, 3, 4, 20, 30)
    # 72 h before 23:00 is 23:00: moves to 08:00 the next morning.
    assert _when(_ny(2026, 3, 7, 23, 0), 72) == _ny(2026, 3, 5, 8, 0)


def test_never_past_the_visit_it_moves_back_before_the_quiet_hours_instead():
    # 2 h before an 08:15 visit is 06:15; 08:00 would be 15 min before the visit.
    assert _when(_ny(2026, 3, 4, 8, 15), 2) == _ny(2026, 3, 3, 20, 59)


def test_a_time_already_past_at_booking_is_none_and_a_just_missed_one_is_now():
    start = _ny(2026, 3, 4, 14, 0)
    assert _when(start, 24, now=start - timedelta(hours=20)) is None
    now = start - timedelta(hours=24) + timedelta(minutes=2)
    assert _when(start, 24, now=now) == now


def test_dst_spring_forward_counts_real_hours():
    # Clocks go from 02:00 to 03:00 on 8 March 2026 in New York: 24 real hours
    # before 14:00 on the 8th is 13:00 on the 7th (wall clock).
    assert _when(_ny(2026, 3, 8, 14, 0), 24) == _ny(2026, 3, 7, 13, 0)


def test_dst_fall_back_counts_real_hours():
    # 1 November 2026: 02:00 back to 01:00; 24 h before 14:00 is 15:00 the day before.
    assert _when(_ny(2026, 11, 1, 14, 0), 24) == _ny(2026, 10, 31, 15, 0)


def test_quiet_hours_end_on_a_dst_morning_is_local_wall_time():
    # 08:00 the morning after the change is 12:00 UTC (EST), not 13:00.
    moment = send_time(
        start=_ny(2026, 11, 2, 9, 0),
        hours_before=26,  # 07:00 on 1 Nov, inside the quiet hours
        now=_ny(2026, 10, 20, 9, 0),
        zone=NY,
        **QUIET,
    )
    assert moment == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)
    assert moment.astimezone(NY).hour == 8


def test_quiet_hours_that_end_in_the_missing_hour_are_read_as_after_it():
    moment = send_time(
        start=_ny(2026, 3, 8, 12, 0),
        hours_before=11,  # 01:00 (EST), quiet 00:00-02:30
        now=_ny(2026, 3, 1, 9, 0),
        zone=NY,
        quiet_start=time(0),
        quiet_end=time(2, 30),
    )
    assert moment.astimezone(NY).strftime("%H:%M") == "03:30"


def test_daytime_quiet_hours_do_not_wrap_midnight():
    quiet = {"quiet_start": time(12), "quiet_end": time(13)}
    assert _when(_ny(2026, 3, 4, 12, 30), 24, **quiet) == _ny(2026, 3, 3, 13, 0)
    assert _when(_ny(2026, 3, 4, 23, 30), 24, **quiet) == _ny(2026, 3, 3, 23, 30)


@pytest.mark.parametrize(
    ("text", "encoding", "count"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # an extension character takes two septets
        ("€" * 81, "GSM-7", 2),
        ("á" * 70, "UCS-2", 1),  # á is not in GSM-7
        ("á" * 71, "UCS-2", 2),
        ("😀" * 35, "UCS-2", 1),  # an emoji is two UTF-16 units
        ("", "GSM-7", 0),
    ],
)
def test_sms_segments(text, encoding, count):
    segments = sms_segments(text)
    assert (segments.encoding, segments.count) == (encoding, count)
