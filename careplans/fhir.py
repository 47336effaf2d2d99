"""The problem list and the care plans as FHIR R4 / US Core: Condition (Problems
and Health Concerns, category problem-list-item), CarePlan and Goal.

A problem is one Condition coded in ICD-10-CM; a problem ended by a patient merge
(the survivor had the same one) is ``entered-in-error`` and has no clinical
status. A plan is one CarePlan (intent ``plan``, category ``assess-plan``) that
addresses its problem's Condition, points at its Goals and carries its planned
activities as ``activity.detail`` (what recurs, how often); US Core requires
its narrative, generated here from the same fields. An activity's done / due /
overdue state is read from the record (``careplans.progress``), not stored, so
the API says only whether the activity is still planned.
"""

from django.utils.html import escape

from careplans.models import CarePlan, Comparator, Goal, PlanActivity, Problem
from clinic import fhir_search
from clinic.fhir_datatypes import (
    ICD10CM,
    LOINC,
    clean,
    codeable,
    date_time,
    fhir_date,
    instant,
    period,
    practitioner,
    quantity,
    reference,
)
from clinic.fhir_declaration import US_CORE, SearchParam

CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CLINICAL_STATUS = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION_STATUS = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CAREPLAN_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/careplan-category"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
XHTML = "http://www.w3.org/1999/xhtml"

PROBLEM_LIST_ITEM = codeable(
    CONDITION_CATEGORY, "problem-list-item", "Problem List Item"
)
ASSESS_PLAN = codeable(CAREPLAN_CATEGORY, "assess-plan", "Assessment and Plan")
# Quantity.comparator for the goal's target (the stored names are words).
COMPARATORS = {
    Comparator.BELOW: "<",
    Comparator.AT_MOST: "<=",
    Comparator.AT_LEAST: ">=",
    Comparator.ABOVE: ">",
}
# CarePlan.activity.detail.kind: the resource a planned activity would be.
ACTIVITY_KINDS = {
    PlanActivity.Kind.VISIT: "Appointment",
    PlanActivity.Kind.TEST: "ServiceRequest",
    PlanActivity.Kind.MEDICATION_REVIEW: "Task",
    PlanActivity.Kind.EDUCATION: "CommunicationRequest",
}
PERIOD_UNITS = {PlanActivity.Unit.WEEKS: "wk", PlanActivity.Unit.MONTHS: "mo"}
# Problem statuses with a clinical status (a merged duplicate has none).
CLINICAL = [Problem.Status.ACTIVE, Problem.Status.RESOLVED]


def clinical_status(stored: str) -> str:
    return stored if stored in CLINICAL else ""


def _encounter(problem: Problem) -> dict | None:
    """The visit the problem came from, once it is an Encounter (checked in)."""
    visit = problem.appointment
    return reference("Encounter", visit.pk) if visit and visit.arrived_at else None


def problem_to_fhir(problem: Problem) -> dict:
    """A problem as a US Core Condition (problem-list-item): its ICD-10-CM code
    with the words, whether it is active or resolved (and since when), its
    onset, the visit it was diagnosed at and who recorded it."""
    status = clinical_status(problem.status)
    verification = "confirmed" if status else "entered-in-error"
    return clean(
        {
            "resourceType": "Condition",
            "id": str(problem.pk),
            "clinicalStatus": codeable(CLINICAL_STATUS, status),
            "verificationStatus": codeable(VERIFICATION_STATUS, verification),
            "category": [PROBLEM_LIST_ITEM],
            "code": codeable(
                ICD10CM, problem.code, problem.description, text=problem.description
            ),
            "subject": reference("Patient", problem.patient_id),
            "encounter": _encounter(problem),
            "onsetDateTime": fhir_date(problem.onset_date),
            "abatementDateTime": date_time(
                problem.resolved_on if status == Problem.Status.RESOLVED else None
            ),
            "recordedDate": instant(problem.recorded_at),
            "recorder": practitioner(problem.recorded_by),
        }
    )


def _target(goal: Goal) -> dict:
    unit = goal.test.unit if goal.test_id else None
    amount = quantity(goal.target, unit or None)
    if amount:
        amount["comparator"] = COMPARATORS.get(goal.comparator)
    return {
        "measure": codeable(LOINC, goal.test.loinc, goal.test.name)
        if goal.test_id
        else None,
        "detailQuantity": amount,
        "dueDate": fhir_date(goal.target_date),
    }


def goal_to_fhir(goal: Goal) -> dict:
    """A goal as a US Core Goal: what is aimed at, the test that measures it,
    the target value and the date it is due by; a goal met is ``achieved``."""
    plan = goal.plan
    met = goal.status == Goal.Status.COMPLETED
    return clean(
        {
            "resourceType": "Goal",
            "id": str(goal.pk),
            "lifecycleStatus": goal.status,
            "achievementStatus": codeable(GOAL_ACHIEVEMENT, "achieved", "Achieved")
            if met
            else None,
            "description": {"text": goal.description},
            "subject": reference("Patient", plan.patient_id),
            "startDate": fhir_date(plan.start_date),
            "target": [_target(goal)],
            "addresses": [reference("Condition", plan.problem_id)],
        }
    )


def _activity(activity: PlanActivity) -> dict:
    concept = (
        codeable(LOINC, activity.test.loinc, activity.test.name)
        if activity.test_id
        else codeable(None, None, text=str(activity))
    )
    stopped = activity.status == PlanActivity.Status.STOPPED
    timing = {
        "frequency": 1,
        "period": activity.every,
        "periodUnit": PERIOD_UNITS[activity.unit],
    }
    return {
        "detail": {
            "kind": ACTIVITY_KINDS[activity.kind],
            "code": concept,
            "status": "stopped" if stopped else "in-progress",
            "scheduledTiming": {"repeat": timing},
            "description": str(activity),
        }
    }


def _narrative(plan: CarePlan, goals: list, activities: list) -> dict:
    """The plan in words (US Core requires ``text``), every value escaped."""
    items = [f"<li>Goal: {escape(goal)}</li>" for goal in goals] + [
        f"<li>{escape(activity)}</li>" for activity in activities
    ]
    lines = (
        f"<p><b>{escape(plan.title)}</b> for {escape(plan.problem)}</p>"
        f"<p>{escape(plan.get_status_display())}, review by "
        f"{plan.review_date:%Y-%m-%d}</p>"
    )
    listed = f"<ul>{''.join(items)}</ul>" if items else ""
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{lines}{listed}</div>'}


def plan_to_fhir(plan: CarePlan) -> dict:
    """A plan as a US Core CarePlan (assess-plan): the problem it addresses, its
    goals, its recurring activities, its period until the review date and the
    clinician responsible (the author)."""
    goals = list(plan.goals.all())
    activities = list(plan.activities.all())
    return clean(
        {
            "resourceType": "CarePlan",
            "id": str(plan.pk),
            "text": _narrative(plan, goals, activities),
            "status": plan.status,
            "intent": "plan",
            "category": [ASSESS_PLAN],
            "title": plan.title,
            "subject": reference("Patient", plan.patient_id),
            "period": period(plan.start_date, plan.review_date),
            "created": instant(plan.created_at),
            "author": practitioner(plan.responsible),
            "addresses": [reference("Condition", plan.problem_id, str(plan.problem))],
            "goal": [reference("Goal", goal.pk) for goal in goals],
            "activity": [_activity(activity) for activity in activities],
        }
    )


def _plans():
    plans = CarePlan.objects.select_related("problem", "responsible__provider")
    return plans.prefetch_related(
        "goals__test", "activities__appointment_type", "activities__test"
    )


RESOURCES = (
    fhir_search.patient_resource(
        "Condition",
        Problem,
        problem_to_fhir,
        fhir_search.constant_token("category", CONDITION_CATEGORY, "problem-list-item"),
        fhir_search.mapped_token(
            "clinical-status",
            "status",
            stored=CLINICAL,
            to_code=clinical_status,
            expression="Condition.clinicalStatus",
        ),
        SearchParam.token("code", "code", systems={ICD10CM: "code"}),
        SearchParam.date(
            "onset-date", "onset_date", expression="Condition.onsetDateTime"
        ),
        SearchParam.date(
            "recorded-date", "recorded_at", expression="Condition.recordedDate"
        ),
        # Only a resolve sets resolved_on (a merge ends active problems only), so
        # the field holds exactly the abatement the resource shows.
        SearchParam.date(
            "abatement-date", "resolved_on", expression="Condition.abatementDateTime"
        ),
        SearchParam.reference("encounter", "appointment", target="Encounter"),
        queryset=lambda: Problem.objects.select_related(
            "recorded_by__provider", "appointment"
        ),
        profile=US_CORE + "us-core-condition-problems-health-concerns",
    ),
    fhir_search.patient_resource(
        "CarePlan",
        CarePlan,
        plan_to_fhir,
        fhir_search.constant_token("category", CAREPLAN_CATEGORY, "assess-plan"),
        SearchParam.token("status", "status"),
        # Either end: a prefix then reaches every plan whose period overlaps the
        # range (ge: still running on or after the day; le: started by it).
        SearchParam.date(
            "date",
            "start_date",
            "review_date",
            expression="CarePlan.period",
            documentation="The plan's period: its start to its review date.",
        ),
        SearchParam.reference(
            "condition", "problem", target="Condition", expression="CarePlan.addresses"
        ),
        queryset=_plans,
        profile=US_CORE + "us-core-careplan",
        includes=("condition",),
    ),
    fhir_search.patient_resource(
        "Goal",
        Goal,
        goal_to_fhir,
        SearchParam.token(
            "lifecycle-status", "status", expression="Goal.lifecycleStatus"
        ),
        SearchParam.date(
            "target-date", "target_date", expression="Goal.target.dueDate"
        ),
        path="plan__patient",
        queryset=lambda: Goal.objects.select_related("plan", "test"),
        profile=US_CORE + "us-core-goal",
    ),
)
