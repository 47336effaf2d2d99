from datetime import datetime

from scheduling import services


def mark_no_shows(now: datetime) -> int:
    return services.no_show_sweep(now=now)


def verify_tomorrows_eligibility(now: datetime) -> int:
    return services.eligibility_sweep(now=now)
