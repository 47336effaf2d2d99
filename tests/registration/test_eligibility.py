from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from registration.eligibility.x12 import Inquiry, X12Error, build_270, parse_271
from registration.models import Coverage, EligibilityCheck
from registration.selectors import eligibility_status_for_checkin
from registration.services import eligibility_check_request, eligibility_check_run
from tests.registration.factories import (
    CoverageFactory,
    EligibilityCheckFactory,
    PatientFactory,
    PayerFactory,
)

FIXTURES = Path(__file__).parent / "fixtures" / "x12"
WHEN = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
CLINIC = {"provider_name": "ClinicOps Demo Clinic", "provider_npi": "1234567893"}
PAYER = {"payer_name": "Acme Health Plans", "payer_id": "ACME01"}


def test_270_for_a_subscriber_matches_the_fixture():
    inquiry = Inquiry(
        **PAYER,
        **CLINIC,
        member_id="ACM123456789",
        group_number="G0042",
        subscriber_given="Rosa",
        subscriber_family="Delgado",
        subscriber_birth_date=date(1984, 5, 17),
        subscriber_sex="F",
        trace="CO42",
        control_number=42,
        when=WHEN,
    )
    assert build_270(inquiry) == (FIXTURES / "270_subscriber.x12").read_text()


def test_270_for_a_dependent_matches_the_fixture():
    inquiry = Inquiry(
        **PAYER,
        **CLINIC,
        member_id="ACM555000111",
        subscriber_given="Marco",
        subscriber_family="Delgado",
        subscriber_birth_date=date(1982, 1, 9),
        subscriber_sex="M",
        dependent_given="Lucia",
        dependent_family="Delgado",
        dependent_birth_date=date(2015, 8, 2),
        dependent_sex="F",
        relationship="19",
        trace="CO43",
        control_number=43,
        when=WHEN,
    )
    text = build_270(inquiry)
    assert text == (FIXTURES / "270_dependent.x12").read_text()
    segments = text.split("~\n")
    st, se = segments.index("ST*270*0043*005010X279A1"), segments.index("SE*18*0043")
    assert se - st + 1 == 18  # SE counts its own transaction's segments


def test_271_active_with_copay_and_remaining_deductible():
    parsed = parse_271((FIXTURES / "271_active.x12").read_text())
    assert parsed.active is True
    assert parsed.plan_description == "ACME GOLD PPO"
    assert parsed.copay == Decimal("35")
    assert parsed.deductible_remaining == Decimal("412.50")
    assert parsed.trace == "CO42" and parsed.member_id == "ACM123456789"
    assert parsed.rejections == []


def test_271_inactive_with_other_delimiters():
    parsed = parse_271((FIXTURES / "271_inactive_pipes.x12").read_text())
    assert parsed.active is False
    assert parsed.member_id == "BHB000000019"


def test_271_rejection_is_read_as_a_reason():
    parsed = parse_271((FIXTURES / "271_rejected.x12").read_text())
    assert parsed.rejections == ["Invalid/missing subscriber ID"]
    assert parsed.active is None


@pytest.mark.parametrize(
    "text", ["", "hello", (FIXTURES / "270_subscriber.x12").read_text()]
)
def test_what_is_not_a_271_is_refused(text):
    with pytest.raises(X12Error):
        parse_271(text)


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
