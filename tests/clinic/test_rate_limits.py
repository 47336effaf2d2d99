"""A limit counts the last window's worth of requests, wherever the turn of a
window falls (clinic/rate_limits.py, on the real Redis)."""

import uuid
from datetime import UTC, datetime, timedelta

import time_machine

from clinic.rate_limits import rate_exceeded

# One second before a minute turns.
EDGE = datetime(2026, 12, 7, 15, 59, 59, tzinfo=UTC)


def _asks(key: str, n: int) -> list[bool]:
    return [rate_exceeded(key=key, limit=3, seconds=60) for _ in range(n)]


def test_a_burst_across_the_turn_of_a_window_is_counted_whole(redis_url):
    key = f"test-{uuid.uuid4()}"
    with time_machine.travel(EDGE, tick=False) as traveller:
        assert _asks(key, 3) == [False, False, False]
        traveller.shift(timedelta(seconds=2))  # the next minute
        assert _asks(key, 1) == [True]


def test_the_last_windows_requests_fade_as_it_leaves_the_limits_reach(redis_url):
    key = f"test-{uuid.uuid4()}"
    with time_machine.travel(EDGE - timedelta(seconds=59), tick=False) as traveller:
        assert _asks(key, 3) == [False, False, False]
        # Half-way through the next minute, half of those three still count.
        traveller.shift(timedelta(seconds=60 + 30))
        assert _asks(key, 2) == [False, True]
        # Two minutes on, nothing of them is left.
        traveller.shift(timedelta(seconds=120))
        assert _asks(key, 3) == [False, False, False]
