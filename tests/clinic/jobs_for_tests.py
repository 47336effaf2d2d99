"""Job functions the job tests enqueue; real RQ workers import them from here."""

import django_rq


def record_run(marker_id: int) -> None:
    """Counts its runs in Redis, where the test reads them back."""
    django_rq.get_connection("default").incr(f"test:runs:{marker_id}")


def always_fails(marker_id: int) -> None:
    raise RuntimeError(f"failure {marker_id} on purpose")


def renames_then_fails(location_id: int) -> None:
    from scheduling.models import Location

    location = Location.objects.get(pk=location_id)
    location.name = "half-written"
    location.save()
    raise RuntimeError("failed after writing")
