"""Each xdist worker has its own Redis database for the queues and Django's cache
(tests/conftest.py ``_isolated_redis``): a ``cache.clear()`` in one worker's test
once emptied another's rate-limit counters and cached choices mid-test."""

import uuid

import redis
from django.core.cache import cache


def test_the_cache_writes_into_this_workers_redis_database(redis_url):
    key = f"isolation-{uuid.uuid4()}"
    cache.set(key, 1)
    keys = redis.Redis.from_url(redis_url).keys(f"*{key}*")
    assert len(keys) == 1
