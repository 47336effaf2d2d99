from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from registration.models import Coverage, EligibilityCheck
from registration.selectors import eligibility_status_for_checkin
from registration.services import eligibility_check_request, eligibility_check_run
from tests.registration.factories import (
    CoverageFactory,
    EligibilityCheckFactory,
    PatientFactory,
    PayerFactory,
)


@pytest.mark.django_db
@pytest.mark.parametrize("backend", ["simulated", "x12"])
@pytest.mark.parametrize(
    ("payer_id", "member_id", "result", "message"),
    [
        ("ACME01", "ACM1234", "active", ""),
        ("ACME01", "ACM1239", "inactive", ""),
        ("ACME01", "ERR1234", "error", "Invalid/missing subscriber ID"),
        ("SIMDOWN", "ACM1234", "error", "not responding"),
    ],
)
def test_both_backends_give_the_same_answers(
    settings, backend, payer_id, member_id, result, message
):
    settings.ELIGIBILITY_BACKEND = backend
    settings.JOBS_INLINE = True
    coverage = CoverageFactory(
        payer=PayerFactory(payer_id=payer_id), member_id=member_id
    )
    check = eligibility_check_request(coverage=coverage, actor=None)
    check = eligibility_check_run(check_id=check.pk) or check
    check.refresh_from_db()
    assert check.result == result
    assert message in check.message
    assert check.request_payload and check.backend == backend
    if result == "active":
        assert check.copay == Decimal("40") and check.deductible_remaining == Decimal(
            "250"
        )
    if backend == "x12":
        assert check.request_payload.startswith("ISA*")


@pytest.mark.django_db(transaction=True)
def test_verify_runs_through_a_real_rq_worker(client, make_user, run_rq_worker):
    desk = make_user("Front desk")
    client.force_login(desk)
    coverage = CoverageFactory(member_id="ACM1234")
    response = client.post(reverse("registration:coverage-verify", args=[coverage.pk]))
    assert response.status_code == 302
    check = EligibilityCheck.objects.get()
    assert check.result == "pending" and check.requested_by == desk
    run_rq_worker("default")
    check.refresh_from_db()
    assert check.result == "active" and check.completed_at is not None
    # The chart shows the latest result.
    chart = client.get(
        reverse("registration:patient-chart", args=[coverage.patient_id])
    )
    assert "Coverage active." in chart.content.decode()
    # A second run of the same job changes nothing.
    assert eligibility_check_run(check_id=check.pk) is None


@pytest.mark.django_db
def test_checkin_status_warns_when_stale_failed_or_missing():
    now = timezone.now()
    patient = PatientFactory()
    assert eligibility_status_for_checkin(patient=patient).level == "none"
    coverage = CoverageFactory(patient=patient)
    assert eligibility_status_for_checkin(patient=patient).level == "warning"
    fresh = EligibilityCheckFactory(
        coverage=coverage,
        result="active",
        requested_at=now - timedelta(days=29),
        completed_at=now - timedelta(days=29),
    )
    assert eligibility_status_for_checkin(patient=patient, now=now).level == "ok"
    later = now + timedelta(days=2)
    stale = eligibility_status_for_checkin(patient=patient, now=later)
    assert stale.level == "warning" and "31 days ago" in stale.message
    EligibilityCheckFactory(
        coverage=coverage, result="error", message="Payer down", requested_at=now
    )
    failed = eligibility_status_for_checkin(patient=patient, now=now)
    assert failed.level == "warning" and "Payer down" in failed.message
    assert fresh.pk != failed.check.pk


@pytest.mark.django_db
def test_ended_coverage_is_not_current():
    patient = PatientFactory()
    CoverageFactory(patient=patient, end_date=date(2020, 1, 1))
    assert eligibility_status_for_checkin(patient=patient).level == "none"
    assert Coverage.objects.count() == 1


@pytest.mark.django_db
def test_sweeper_hands_on_checks_whose_job_was_lost(
    settings, django_capture_on_commit_callbacks
):
    from registration.sweepers import pending_eligibility_checks

    settings.JOBS_INLINE = True
    now = timezone.now()
    lost = EligibilityCheckFactory(
        coverage__member_id="ACM1234", requested_at=now - timedelta(minutes=10)
    )
    EligibilityCheckFactory(requested_at=now)  # its job may still be on its way
    with django_capture_on_commit_callbacks(execute=True):
        assert pending_eligibility_checks(now) == 1
    lost.refresh_from_db()
    assert lost.result == "active"
