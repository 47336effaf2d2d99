"""Activities complete themselves from what happened, and only from what counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from careplans.models import PlanActivity
from careplans.progress import DONE, DUE, OVERDUE, plan_states
from clinic.clock import today
from diagnostics import services as diagnostics
from diagnostics.models import TestDefinition
from medications import services as medications
from scheduling import services as scheduling
from scheduling.models import Appointment
from tests.careplans.factories import diabetic_plan
from tests.diagnostics.factories import make_order
from tests.scheduling.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

K = PlanActivity.Kind


def _state(plan, kind):
    state = plan_states([plan])[0]
    return next(a for a in state.activities if a.activity.kind == kind)


def _visit_today(plan, status):
    start = timezone.now() - timedelta(minutes=20)
    visit_type = plan.activities.get(kind=K.VISIT).appointment_type
    return AppointmentFactory(
        patient=plan.patient,
        appointment_type=visit_type,
        start=start,
        end=start + timedelta(minutes=20),
        status=status,
    )


def test_a_new_plans_activities_are_due_one_interval_after_its_start(make_user):
    plan = diabetic_plan(days_ago=80)
    test = _state(plan, K.TEST)
    assert test.next_due == plan.start_date + relativedelta(months=3)
    assert (test.last_done, test.state) == (None, DUE)  # within 14 days
    visit = _state(plan, K.VISIT)
    assert (visit.next_due, visit.state) == (today() + timedelta(days=4), DUE)
    assert _state(plan, K.EDUCATION).state == DONE  # a year away


@pytest.mark.usefixtures("clinic_midday")
def test_the_visit_activity_completes_when_its_visit_is_completed(make_user):
    plan = diabetic_plan(days_ago=100)
    assert _state(plan, K.VISIT).state == OVERDUE
    visit = _visit_today(plan, Appointment.Status.IN_ROOM)
    scheduling.appointment_complete(appointment=visit, actor=make_user("Nurse"))
    state = _state(plan, K.VISIT)
    assert (state.last_done, state.state) == (today(), DONE)
    assert state.next_due == today() + timedelta(weeks=12)


def test_a_cancelled_visit_completes_nothing(make_user):
    plan = diabetic_plan(days_ago=100)
    visit = _visit_today(plan, Appointment.Status.SCHEDULED)
    scheduling.appointment_cancel(
        appointment=visit, reason="Patient unwell", actor=make_user("Front desk")
    )
    state = _state(plan, K.VISIT)
    assert (state.last_done, state.state) == (None, OVERDUE)


def _hba1c(plan, value, status, actor):
    order = make_order(patient=plan.patient, panels=(), tests=("A1C",), actor=actor)
    diagnostics.results_enter(
        order=order,
        values={TestDefinition.objects.get(code="A1C"): value},
        status=status,
        actor=actor,
    )


def test_the_test_activity_completes_with_a_final_result_not_a_preliminary_one(
    make_user,
):
    plan = diabetic_plan(days_ago=100)
    nurse = make_user("Nurse")
    _hba1c(plan, "7.9", "P", nurse)
    assert _state(plan, K.TEST).state == OVERDUE
    _hba1c(plan, "6.8", "F", nurse)
    state = _state(plan, K.TEST)
    assert (state.last_done, state.state) == (today(), DONE)
    goal = plan_states([plan])[0].goals[0]
    assert goal.latest == Decimal("6.8") and goal.met is True and goal.missed is False


def test_the_medication_review_completes_with_a_completed_reconciliation(
    make_user,
):
    plan = diabetic_plan(days_ago=200)
    nurse = make_user("Nurse")
    assert _state(plan, K.MEDICATION_REVIEW).state == OVERDUE
    review = medications.reconciliation_start(patient=plan.patient, actor=nurse)
    assert _state(plan, K.MEDICATION_REVIEW).state == OVERDUE  # still open
    medications.reconciliation_complete(reconciliation=review, actor=nurse)
    assert _state(plan, K.MEDICATION_REVIEW).state == DONE


def test_a_goal_past_its_date_and_unmet_is_missed(make_user):
    plan = diabetic_plan(days_ago=200)
    _hba1c(plan, "8.4", "F", make_user("Nurse"))
    goal = plan_states([plan])[0].goals[0]
    assert (goal.met, goal.missed) == (False, True)


def test_plan_states_read_a_fixed_number_of_queries_for_any_number_of_plans(
    make_user, django_assert_num_queries
):
    plans = [diabetic_plan(days_ago=days) for days in (10, 100, 200)]
    for plan in plans:
        plan.refresh_from_db()
    # activities, goals, visits, results, reviews, education contacts, results
    # for the goals: seven, for one plan or three.
    with django_assert_num_queries(7):
        plan_states(plans[:1])
    with django_assert_num_queries(7):
        states = plan_states(plans)
    assert [s.overdue for s in states] == [0, 2, 3]
