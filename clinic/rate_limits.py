"""Counting requests against a limit in Django's cache (Redis in production, so
every app host counts together). Refused log-ins and tokens are counted by
django-axes (``clinic.login_guard``); this is for requests that succeed but must
not come too often."""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def rate_exceeded(*, key: str, limit: int, seconds: int) -> bool:
    """Count one request under ``key``; True once more than ``limit`` fell in the
    last ``seconds``. A sliding window: this window's count plus the last window's,
    weighed by how much of it is still within ``seconds``, so a burst across the
    turn of a window is counted whole (fixed windows would let twice ``limit``
    through there). With the cache away (Redis down) nothing is counted and nothing
    is refused: a limit never stops the clinic's patients because a counter cannot
    be read."""
    now = time.time()
    window = int(now // seconds)
    bucket = f"rate:{key}:{window}"
    try:
        # Each counter lives two windows: the next one reads it as its previous.
        fresh = cache.add(bucket, 1, timeout=2 * seconds)
        count = 1 if fresh else cache.incr(bucket)
        previous = cache.get(f"rate:{key}:{window - 1}") or 0
    except ValueError:  # the window's counter expired between add and incr
        return False
    except Exception:  # noqa: BLE001 - the cache's own errors, whatever its backend
        logger.warning("rate limit %s not counted: the cache is away", key)
        return False
    still_inside = 1 - (now % seconds) / seconds
    return count + previous * still_inside > limit
