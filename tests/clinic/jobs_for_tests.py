"""Job functions the job tests enqueue; real RQ workers import them from here."""

import django_rq


def record_run(marker_id: int) -> None:
    """Counts its runs in Redis, where the test reads them back."""
    django_rq.get_connection("default").incr(f"test:runs:{marker_id}")
