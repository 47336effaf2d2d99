"""Counting requests against a limit in Django's cache (Redis in production, so
every app host counts together). Refused log-ins and tokens are counted by
django-axes (``clinic.login_guard``); this is for requests that succeed but must
not come too often."""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def rate_exceeded(*, key: str, limit: int, seconds: int) -> bool:
    """Count one request under ``key`` in the current window of ``seconds``;
    True once the window holds more than ``limit``. With the cache away (Redis
    down) nothing is counted and nothing is refused: a limit never stops the
    clinic's patients because a counter cannot be read."""
    bucket = f"rate:{key}:{int(time.time() // seconds)}"
    try:
        if cache.add(bucket, 1, timeout=seconds):
            return limit < 1
        return cache.incr(bucket) > limit
    except ValueError:  # the window's counter expired between add and incr
        return False
    except Exception:  # noqa: BLE001 - the cache's own errors, whatever its backend
        logger.warning("rate limit %s not counted: the cache is away", key)
        return False
