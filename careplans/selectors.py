"""Reads of the care plans shared by the pages, the chart, the home panel and the
sweeper."""

from django.db.models import QuerySet

from careplans.models import CarePlan, Problem
from careplans.progress import PlanState, plan_states

OPEN_PLAN_STATUSES = [CarePlan.Status.ACTIVE, CarePlan.Status.ON_HOLD]


def patient_problems(*, patient, include_resolved: bool = True) -> QuerySet:
    rows = Problem.objects.filter(patient=patient).select_related("recorded_by")
    if not include_resolved:
        rows = rows.filter(status=Problem.Status.ACTIVE)
    return rows.order_by("status", "code", "pk")


def patient_plans(*, patient) -> list[PlanState]:
    plans = (
        CarePlan.objects.filter(patient=patient)
        .select_related("problem", "responsible")
        .order_by("status", "-start_date", "-pk")
    )
    return plan_states(list(plans))


def plans_with_people() -> QuerySet:
    """Plans with their patient, problem and the staff they name (one query)."""
    return CarePlan.objects.select_related(
        "patient", "problem", "responsible", "created_by"
    )


def plans_needing_attention(*, responsible=None, limit: int = 20) -> list[PlanState]:
    """Active plans with an overdue activity or a review due, the most overdue
    first (``responsible``: only that clinician's)."""
    plans = CarePlan.objects.filter(status=CarePlan.Status.ACTIVE).select_related(
        "patient", "problem", "responsible"
    )
    if responsible is not None:
        plans = plans.filter(responsible=responsible)
    states = [s for s in plan_states(list(plans)) if s.overdue or s.review_due]
    states.sort(key=lambda s: (-s.overdue, s.plan.review_date))
    return states[:limit]


def plan_review_due(*, patient) -> bool:
    """Whether one of the patient's active plans is due for review (what the front
    desk may know, without the plan)."""
    return any(
        state.review_due
        for state in plan_states(
            list(
                CarePlan.objects.filter(patient=patient, status=CarePlan.Status.ACTIVE)
            )
        )
    )
