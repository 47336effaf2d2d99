"""Django's cache on Redis, for what a page can work out again: while Redis is away
(restarting, failing over) a read is a miss and a write is dropped, so a page
answers from the database instead of a 500 ("the database is the truth, Redis is a
courier"). ``make chaos`` found the day view failing for the 30 s Redis was down.

Nothing that must hold lives in this cache: lock-outs, the address limit and the
second-step throttle are in PostgreSQL. ``incr`` is left alone: a counter that
silently stops counting would be worse than an error.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_AWAY = (RedisConnectionError, RedisTimeoutError)
# What each operation answers when Redis does not: a miss, nothing stored.
AWAY_ANSWERS = {
    "get": None,
    "get_many": {},
    "has_key": False,
    "add": False,
    "touch": False,
    "delete": False,
    "set": None,
    "set_many": None,
    "delete_many": None,
}


def _forgiving(name: str, away_answer):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except REDIS_AWAY as error:
            logger.warning("Cache %s skipped, Redis is away: %s", name, error)
            if name == "get":
                return kwargs.get("default", args[1] if len(args) > 1 else None)
            return away_answer

    call.__name__ = name
    return call


class ForgivingRedisCache(RedisCache):
    """RedisCache whose reads and writes survive Redis being away."""


for _name, _answer in AWAY_ANSWERS.items():
    setattr(ForgivingRedisCache, _name, _forgiving(_name, _answer))
