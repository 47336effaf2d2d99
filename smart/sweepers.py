"""The smart app's periodic duty (listed in ``clinic.dispatch.SWEEPERS``)."""

from datetime import datetime

from smart.assertions import CLOCK_SKEW
from smart.models import UsedAssertion


def used_assertions_sweep(now: datetime) -> int:
    """Forget the jti of assertions that expired (past the clock-skew allowance):
    they are refused for their exp anyway. Returns how many were forgotten."""
    expired = UsedAssertion.objects.filter(expires_at__lt=now - CLOCK_SKEW)
    count = 0
    for row in expired.iterator():
        row.delete()
        count += 1
    return count
