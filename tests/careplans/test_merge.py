"""A patient merge when both records hold a one-per-patient row: the same active
problem, an open medication review. The duplicate's copy ends; nothing is lost."""

from datetime import date

import pytest

from careplans import services
from careplans.models import Problem
from medications import services as medications
from medications.exceptions import ReconciliationNotOpen
from medications.models import MedicationReconciliation
from medications.selectors import reconciliation_open
from medications.services import HomeDrug
from registration.services import patient_merge
from tests.careplans.factories import diabetic_plan
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _merge(survivor, duplicate, admin):
    return patient_merge(
        survivor=survivor, duplicate=duplicate, reason="same person", actor=admin
    )


def test_the_same_active_problem_on_both_records_merges_into_one(make_user):
    clinician = make_user("Clinician")
    survivor, duplicate = PatientFactory(), PatientFactory()
    kept = services.problem_add(
        patient=survivor,
        code="E11.9",
        description="Type 2 diabetes",
        onset_date=date(2021, 6, 1),
        actor=clinician,
    )
    plan = diabetic_plan(patient=duplicate, clinician=clinician)
    double = plan.problem
    double.onset_date = date(2019, 3, 1)
    double.save()

    moved = _merge(survivor, duplicate, make_user("Administrator"))

    assert moved["careplans.Problem"] == 1
    assert moved["careplans.CarePlan"] == 1
    kept.refresh_from_db()
    double.refresh_from_db()
    plan.refresh_from_db()
    assert (kept.status, kept.onset_date) == (Problem.Status.ACTIVE, date(2019, 3, 1))
    assert (double.status, double.patient_id) == (Problem.Status.MERGED, survivor.pk)
    assert (plan.problem_id, plan.patient_id) == (kept.pk, survivor.pk)
    assert list(
        Problem.objects.filter(patient=survivor, status="active").values_list(
            "pk", flat=True
        )
    ) == [kept.pk]
    ended = double.history.all()[1]  # before the move: the merge ended it
    assert ended.status == Problem.Status.MERGED
    assert ended.history_change_reason.startswith(f"duplicate of problem {kept.pk}")
    assert double.history.count() == 4  # added, onset, ended, moved


def test_a_different_problem_moves_as_it_is(make_user):
    clinician = make_user("Clinician")
    survivor, duplicate = PatientFactory(), PatientFactory()
    services.problem_add(
        patient=survivor, code="E11.9", description="Diabetes", actor=clinician
    )
    other = services.problem_add(
        patient=duplicate, code="I10", description="Hypertension", actor=clinician
    )

    _merge(survivor, duplicate, make_user("Administrator"))

    other.refresh_from_db()
    assert (other.status, other.patient_id) == (Problem.Status.ACTIVE, survivor.pk)


def _home(patient, nurse, name):
    return medications.home_medication_add(
        patient=patient,
        drug=HomeDrug(name=name, typed_reason="typed", dose="1", frequency="daily"),
        actor=nurse,
    )


def test_two_open_medication_reviews_become_one_with_every_decision(make_user):
    nurse = make_user("Nurse")
    survivor, duplicate = PatientFactory(), PatientFactory()
    kept_drug = _home(survivor, nurse, "Aspirin")
    moved_drug = _home(duplicate, nurse, "Metformin")
    kept = medications.reconciliation_start(patient=survivor, actor=nurse)
    ended = medications.reconciliation_start(patient=duplicate, actor=nurse)
    decision = medications.reconciliation_decide(
        reconciliation=ended, home_medication=moved_drug, decision="kept", actor=nurse
    )

    _merge(survivor, duplicate, make_user("Administrator"))

    ended.refresh_from_db()
    decision.refresh_from_db()
    assert (ended.merged_into_id, ended.completed_at) == (kept.pk, None)
    assert ended.patient_id == survivor.pk
    assert decision.reconciliation_id == kept.pk
    assert decision.history.first().history_change_reason.startswith("merged ")
    assert reconciliation_open(patient=survivor) == kept
    # The review goes on: one decision left, then it completes.
    medications.reconciliation_decide(
        reconciliation=kept, home_medication=kept_drug, decision="kept", actor=nurse
    )
    medications.reconciliation_complete(reconciliation=kept, actor=nurse)
    assert (
        MedicationReconciliation.objects.filter(
            patient=survivor, completed_at__isnull=False
        ).get()
        == kept
    )
    with pytest.raises(ReconciliationNotOpen):
        medications.reconciliation_decide(
            reconciliation=ended,
            home_medication=moved_drug,
            decision="stopped",
            actor=nurse,
        )


def test_one_open_review_simply_moves(make_user):
    nurse = make_user("Nurse")
    survivor, duplicate = PatientFactory(), PatientFactory()
    review = medications.reconciliation_start(patient=duplicate, actor=nurse)

    _merge(survivor, duplicate, make_user("Administrator"))

    assert reconciliation_open(patient=survivor) == review
