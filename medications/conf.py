"""The medications app's settings, read when used (never at import time)."""

from datetime import timedelta

from django.conf import settings


def time_window() -> timedelta:
    """How far from its due time a dose may be given without a reason (±)."""
    return timedelta(minutes=settings.MAR_TIME_WINDOW_MINUTES)


def overdue_after() -> timedelta:
    """A scheduled dose not given this long after its due time is overdue."""
    return timedelta(minutes=settings.MAR_OVERDUE_MINUTES)


def due_soon_within() -> timedelta:
    return timedelta(minutes=settings.MAR_DUE_SOON_MINUTES)


def missed_after() -> timedelta:
    """A scheduled dose still not given this long after its due time is missed."""
    return timedelta(hours=settings.MAR_MISSED_HOURS)


def schedule_hours() -> int:
    """How many hours ahead the schedule job generates doses."""
    return settings.MAR_SCHEDULE_HOURS


def overdue_alert_lookback() -> timedelta:
    """Doses older than this no longer raise overdue alerts."""
    return timedelta(hours=settings.MAR_ALERT_LOOKBACK_HOURS)
