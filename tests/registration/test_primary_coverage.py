"""One answer to "which coverage is primary", asked by check-in, the nightly
eligibility check, automations (facts, actions, outcomes) and claims.

The case the copies disagreed on: the priority-1 plan is switched on but ended
before the visit, the priority-2 plan is in force. Check-in said self-pay while the
nightly check and claim building used the secondary. Settled: the plan in force
on the day is primary for that day, everywhere.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from automations.facts import patient_facts
from billing.services import claims_create_for_visit
from registration.models import EligibilityCheck
from registration.selectors import (
    coverage_primary,
    coverage_primary_ids,
    coverages_in_force,
    eligibility_status_for_checkin,
)
from scheduling import eligibility
from tests.billing.factories import (
    BillingProviderFactory,
    completed_visit,
    fee_schedule,
    patient_with_address,
)
from tests.registration.factories import CoverageFactory, PayerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lapsed_primary():
    today = timezone.localdate()
    patient = patient_with_address()
    ended = CoverageFactory(
        patient=patient,
        payer=PayerFactory(name="Ended Health"),
        priority=1,
        is_active=True,
        effective_date=today - timedelta(days=400),
        end_date=today - timedelta(days=30),
    )
    in_force = CoverageFactory(
        patient=patient,
        payer=PayerFactory(name="Second Mutual"),
        priority=2,
        is_active=True,
        effective_date=today - timedelta(days=400),
        group_number="GRP200",
        member_id="SEC1234",  # the simulated payer answers "active"
    )
    return patient, ended, in_force


def test_the_plan_in_force_on_the_day_is_primary_for_every_asker(lapsed_primary):
    patient, ended, in_force = lapsed_primary
    today = timezone.localdate()

    assert coverage_primary(patient=patient, on=today) == in_force
    assert coverages_in_force(patient=patient, on=today) == [in_force]
    assert coverage_primary_ids(patient_ids=[patient.pk], on=today) == {
        patient.pk: in_force.pk
    }
    # Before it ended, the priority-1 plan was primary.
    earlier = today - timedelta(days=60)
    assert coverage_primary(patient=patient, on=earlier) == ended
    assert coverages_in_force(patient=patient, on=earlier) == [ended, in_force]

    checkin = eligibility_status_for_checkin(patient=patient)
    assert checkin.coverage == in_force  # was "self-pay"

    facts = patient_facts(patient, at=timezone.now())
    assert facts["payer"] == str(in_force.payer_id)

    # The nightly check (scheduling's eligibility sweep) verifies the plan in force.
    assert eligibility.verify(patient=patient, service_date=today) == "verified"
    assert EligibilityCheck.objects.get().coverage == in_force

    fee_schedule()
    BillingProviderFactory()
    visit = completed_visit(patient=patient, day=today - timedelta(days=3))
    claim = claims_create_for_visit(appointment=visit, actor=None)
    assert claim.coverage == in_force


def test_a_switched_off_or_future_plan_is_never_primary():
    today = timezone.localdate()
    patient = patient_with_address()
    CoverageFactory(patient=patient, priority=1, is_active=False)
    CoverageFactory(
        patient=patient, priority=1, effective_date=today + timedelta(days=1)
    )
    assert coverage_primary(patient=patient, on=today) is None
    assert eligibility_status_for_checkin(patient=patient).level == "none"


def test_two_plans_of_one_priority_the_newest_is_primary():
    today = timezone.localdate()
    patient = patient_with_address()
    CoverageFactory(patient=patient, priority=1, effective_date=today - timedelta(400))
    newer = CoverageFactory(
        patient=patient, priority=1, effective_date=today - timedelta(days=10)
    )
    assert coverage_primary(patient=patient, on=today) == newer
    assert coverages_in_force(patient=patient, on=today)[0] == newer
