"""The one place where scheduling asks registration about a patient's coverage."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from registration.models import EligibilityCheck
from registration.selectors import coverage_primary, eligibility_status_for_checkin
from registration.services import eligibility_check_request, eligibility_check_run

# A check older than this is shown as stale in the day view.
STALE_AFTER_HOURS = 36


@dataclass(frozen=True)
class CheckInInfo:
    warning: str = ""
    copay_due: Decimal | None = None


def verify(*, patient, service_date: date) -> str | None:
    """Verify the primary coverage for a visit on ``service_date`` through the
    registration service (the payer is asked now, in this background job):
    "verified", "failed", or None when the patient has no insurance to verify."""
    coverage = coverage_primary(patient=patient, on=service_date)
    if coverage is None:
        return None
    with transaction.atomic():
        check = eligibility_check_request(coverage=coverage, actor=None)
    answered = eligibility_check_run(check_id=check.pk)
    if answered is None:
        return None  # another worker took it; its answer shows at check-in
    return "verified" if answered.result == EligibilityCheck.Result.ACTIVE else "failed"


def check_in_info(*, appointment) -> CheckInInfo:
    """What check-in shows: registration's eligibility warning and the copay due."""
    status = eligibility_status_for_checkin(patient=appointment.patient)
    copay = status.check.copay if status.check is not None else None
    warning = status.message if status.level != "ok" else ""
    return CheckInInfo(warning=warning, copay_due=copay)
