"""Which coverage pays (the order of benefits) and what the payer said of it."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from registration.models import Coverage, EligibilityCheck, Patient

COVERAGE_ORDER = ("priority", "-effective_date", "-id")


def _in_force_on(on: date) -> Q:
    return (
        Q(is_active=True)
        & (Q(effective_date__isnull=True) | Q(effective_date__lte=on))
        & (Q(end_date__isnull=True) | Q(end_date__gte=on))
    )


def coverages_in_force(*, patient: Patient, on: date) -> list[Coverage]:
    """The patient's coverages that pay for a service on ``on``, in order of benefits.

    The one answer to "which plan is primary" (check-in, the nightly eligibility
    check, automations, claims): a plan switched off, not yet effective or ended on
    that day does not count, so the next in force is primary for that day.
    """
    return list(
        Coverage.objects.filter(_in_force_on(on), patient=patient)
        .select_related("payer")
        .order_by(*COVERAGE_ORDER)
    )


def coverage_primary(*, patient: Patient, on: date) -> Coverage | None:
    """The primary coverage on ``on`` (see ``coverages_in_force``); None: self-pay."""
    return (
        Coverage.objects.filter(_in_force_on(on), patient=patient)
        .select_related("payer")
        .order_by(*COVERAGE_ORDER)
        .first()
    )


def coverage_primary_ids(*, patient_ids, on: date) -> dict[int, int]:
    """Patient id → id of its primary coverage on ``on``, for many patients at once."""
    primary: dict[int, int] = {}
    rows = (
        Coverage.objects.filter(_in_force_on(on), patient_id__in=patient_ids)
        .order_by("patient_id", *COVERAGE_ORDER)
        .values_list("patient_id", "pk")
    )
    for patient_id, coverage_id in rows:
        primary.setdefault(patient_id, coverage_id)
    return primary


def patient_coverages(*, patient: Patient, limit: int = 20) -> list[Coverage]:
    """Current and past coverages, each with its latest eligibility check."""
    coverages = list(
        Coverage.objects.filter(patient=patient)
        .select_related("payer")
        .order_by("-is_active", "priority", "-effective_date", "-id")[:limit]
    )
    latest: dict[int, EligibilityCheck] = {}
    checks = EligibilityCheck.objects.filter(
        coverage__in=[c.pk for c in coverages]
    ).order_by("-requested_at", "-id")
    for check in checks[: limit * 5]:
        latest.setdefault(check.coverage_id, check)
    for coverage in coverages:
        coverage.latest_check = latest.get(coverage.pk)
    return coverages


@dataclass
class EligibilityStatus:
    level: str  # "ok", "warning" or "none"
    message: str
    check: EligibilityCheck | None = None
    coverage: Coverage | None = None


def eligibility_status_for_checkin(
    *, patient: Patient, now: datetime | None = None
) -> EligibilityStatus:
    """What the desk should know about insurance at check-in.

    A warning when the primary coverage was never checked, its latest check failed
    or found it inactive, or the latest answer is older than ELIGIBILITY_STALE_DAYS.
    """
    now = now or timezone.now()
    coverage = coverage_primary(patient=patient, on=timezone.localdate(now))
    if coverage is None:
        return EligibilityStatus("none", _("No current insurance on file (self-pay)."))
    check = (
        EligibilityCheck.objects.filter(coverage=coverage)
        .order_by("-requested_at", "-id")
        .first()
    )
    return eligibility_status_of(coverage=coverage, check=check, now=now)


def eligibility_status_of(
    *, coverage: Coverage, check: EligibilityCheck | None, now: datetime | None = None
) -> EligibilityStatus:
    now = now or timezone.now()
    stale = timedelta(days=settings.ELIGIBILITY_STALE_DAYS)
    if check is None:
        return EligibilityStatus(
            "warning", _("Insurance not verified yet."), None, coverage
        )
    if check.result == EligibilityCheck.Result.PENDING:
        return EligibilityStatus(
            "warning", _("Verification in progress."), check, coverage
        )
    if check.result == EligibilityCheck.Result.ERROR:
        return EligibilityStatus(
            "warning",
            _("The last verification failed: %(msg)s") % {"msg": check.message},
            check,
            coverage,
        )
    if check.result == EligibilityCheck.Result.INACTIVE:
        return EligibilityStatus(
            "warning", _("The payer reports this coverage inactive."), check, coverage
        )
    when = check.completed_at or check.requested_at
    if now - when > stale:
        return EligibilityStatus(
            "warning",
            _("Last verified %(days)d days ago: verify again.")
            % {"days": (now - when).days},
            check,
            coverage,
        )
    return EligibilityStatus("ok", _("Coverage active."), check, coverage)
