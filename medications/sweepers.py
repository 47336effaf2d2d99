"""Periodic duties of the medications app (listed in clinic.dispatch.SWEEPERS)."""

from datetime import datetime

from medications import services


def generate_schedules(now: datetime) -> int:
    """Doses for the next hours of every active order; ended orders complete."""
    made = services.schedules_generate_all(now=now)
    services.orders_complete_ended(now=now)
    return made


def raise_overdue_alerts(now: datetime) -> int:
    return services.overdue_alerts_raise(now=now)
