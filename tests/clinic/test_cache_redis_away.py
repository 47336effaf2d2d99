"""Redis away is a cache miss, not a failed page (clinic/cache.py; found by
``make chaos``: the day view answered 500 while Redis was stopped)."""

import socket
import uuid

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from clinic import rate_limits
from clinic.cache import ForgivingRedisCache
from clinic.rate_limits import rate_exceeded


@pytest.fixture
def cache_without_redis():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return ForgivingRedisCache(f"redis://127.0.0.1:{port}/0", {})


def test_reads_miss_and_writes_are_dropped_while_redis_is_away(cache_without_redis):
    cache = cache_without_redis
    assert cache.get("choices") is None
    assert cache.get("choices", "fallback") == "fallback"
    assert cache.get("choices", default=[]) == []
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set("choices", [1], 60) is None
    assert cache.add("choices", [1]) is False
    assert cache.has_key("choices") is False


def test_a_counter_still_fails_loudly(cache_without_redis):
    with pytest.raises(RedisConnectionError):
        cache_without_redis.incr("attempts")


def test_a_rate_limit_counts_with_redis_and_refuses_nothing_without(
    cache_without_redis, monkeypatch, redis_url
):
    key = f"test-{uuid.uuid4()}"
    counted = [rate_exceeded(key=key, limit=2, seconds=60) for _ in range(3)]
    assert counted == [False, False, True]
    monkeypatch.setattr(rate_limits, "cache", cache_without_redis)
    assert [rate_exceeded(key=key, limit=0, seconds=60) for _ in range(2)] == [
        False,
        False,
    ]
