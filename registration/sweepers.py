"""Periodic duties of the registration app (listed in clinic/dispatch.py)."""

from datetime import datetime, timedelta

from clinic.queueing import enqueue_on_commit
from registration.jobs import eligibility_check_job
from registration.models import EligibilityCheck

# A check still pending this long after it was asked lost its job (Redis was down
# or restarted): hand it on again. The job is safe to run twice.
PENDING_RETRY_AFTER = timedelta(minutes=5)
GIVE_UP_AFTER = timedelta(days=2)


def pending_eligibility_checks(now: datetime) -> int:
    ids = list(
        EligibilityCheck.objects.filter(
            result=EligibilityCheck.Result.PENDING,
            requested_at__lte=now - PENDING_RETRY_AFTER,
            requested_at__gte=now - GIVE_UP_AFTER,
        )
        .order_by("requested_at")
        .values_list("pk", flat=True)[:200]
    )
    for check_id in ids:
        enqueue_on_commit(eligibility_check_job, check_id, queue="default")
    return len(ids)
