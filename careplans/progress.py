"""Where each plan stands: every activity done, due or overdue, every goal's
measurements, read from what happened (never from a box someone ticked).

An activity is done by the latest matching thing on or after the plan's start:
a *completed* visit of its type (not a cancelled or no-show one), a *final* or
*corrected* result of its test (not a preliminary one), a *completed* medication
review, a recorded education contact. It is next due one interval after that (or
after the plan's start); due from ``DUE_WITHIN`` before that day, overdue after
it. Reads are batched: a handful of queries for any number of plans.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from careplans.models import CarePlan, EducationContact, Goal, PlanActivity
from clinic.clock import today as clinic_today
from diagnostics.models import Observation
from medications.selectors import reconciliations_completed
from scheduling.models import Appointment

DUE_WITHIN = timedelta(days=14)
REVIEW_DUE_WITHIN = timedelta(days=7)
RESULT_STATUSES = [Observation.Status.FINAL, Observation.Status.CORRECTED]

DONE, DUE, OVERDUE, STOPPED = "done", "due", "overdue", "stopped"
STATE_LABELS = {
    DONE: _("Up to date"),
    DUE: _("Due"),
    OVERDUE: _("Overdue"),
    STOPPED: _("Stopped"),
}
A = PlanActivity.Kind


@dataclass
class ActivityState:
    activity: PlanActivity
    last_done: date | None
    next_due: date | None
    state: str

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass
class GoalState:
    goal: Goal
    points: list[tuple[datetime, Decimal, str]] = field(default_factory=list)
    latest: Decimal | None = None
    met: bool = False
    missed: bool = False


@dataclass
class PlanState:
    plan: CarePlan
    activities: list[ActivityState]
    goals: list[GoalState]
    review_due: bool

    def count(self, state: str) -> int:
        return sum(1 for a in self.activities if a.state == state)

    @property
    def overdue(self) -> int:
        return self.count(OVERDUE)

    @property
    def due(self) -> int:
        return self.count(DUE)

    @property
    def done(self) -> int:
        return self.count(DONE)


def interval_after(day: date, activity: PlanActivity) -> date:
    step = (
        relativedelta(weeks=activity.every)
        if activity.unit == PlanActivity.Unit.WEEKS
        else relativedelta(months=activity.every)
    )
    return day + step


def _local_day(moment: datetime | None) -> date | None:
    return clinic_today(moment) if moment is not None else None


def _latest_done(activities: list[PlanActivity]) -> dict[int, date]:
    """Activity id → the day of the latest matching thing (no matter how old)."""
    patients = {a.plan.patient_id for a in activities}
    visits, tests, reviews = {}, {}, {}
    type_ids = {a.appointment_type_id for a in activities if a.kind == A.VISIT}
    if type_ids:
        rows = (
            Appointment.objects.filter(
                patient_id__in=patients,
                appointment_type_id__in=type_ids,
                status=Appointment.Status.COMPLETED,
            )
            .values("patient_id", "appointment_type_id")
            .annotate(last=Max("start"))
        )
        visits = {(r["patient_id"], r["appointment_type_id"]): r["last"] for r in rows}
    test_ids = {a.test_id for a in activities if a.kind == A.TEST}
    if test_ids:
        rows = (
            Observation.objects.filter(
                order__patient_id__in=patients,
                test_id__in=test_ids,
                status__in=RESULT_STATUSES,
            )
            .values("order__patient_id", "test_id")
            .annotate(last=Max("resulted_at"))
        )
        tests = {(r["order__patient_id"], r["test_id"]): r["last"] for r in rows}
    if any(a.kind == A.MEDICATION_REVIEW for a in activities):
        rows = (
            reconciliations_completed(patient_ids=patients)
            .values("patient_id")
            .annotate(last=Max("completed_at"))
        )
        reviews = {r["patient_id"]: r["last"] for r in rows}
    contacts = dict(
        EducationContact.objects.filter(
            activity__in=[a for a in activities if a.kind == A.EDUCATION]
        )
        .values("activity_id")
        .annotate(last=Max("done_on"))
        .values_list("activity_id", "last")
    )
    found = {}
    for a in activities:
        patient = a.plan.patient_id
        if a.kind == A.VISIT:
            last = _local_day(visits.get((patient, a.appointment_type_id)))
        elif a.kind == A.TEST:
            last = _local_day(tests.get((patient, a.test_id)))
        elif a.kind == A.MEDICATION_REVIEW:
            last = _local_day(reviews.get(patient))
        else:
            last = contacts.get(a.pk)
        if last is not None:
            found[a.pk] = last
    return found


def activity_states(activities: list[PlanActivity], *, on: date) -> list:
    latest = _latest_done(activities)
    states = []
    for activity in activities:
        plan = activity.plan
        last = latest.get(activity.pk)
        if last is not None and last < plan.start_date:
            last = None  # before the plan: it starts the count from its start
        if activity.status != PlanActivity.Status.ACTIVE:
            states.append(ActivityState(activity, last, None, STOPPED))
            continue
        due = interval_after(last or plan.start_date, activity)
        if due < on:
            state = OVERDUE
        elif due - DUE_WITHIN <= on:
            state = DUE
        else:
            state = DONE
        states.append(ActivityState(activity, last, due, state))
    return states


def goal_states(goals: list[Goal], *, on: date) -> list[GoalState]:
    """Each goal's numeric results of its test (oldest first), the latest value,
    whether it meets the target, and whether the target date passed unmet."""
    wanted = {(g.plan.patient_id, g.test_id) for g in goals if g.test_id}
    series = defaultdict(list)
    if wanted:
        rows = (
            Observation.objects.filter(
                order__patient_id__in={p for p, _t in wanted},
                test_id__in={t for _p, t in wanted},
                status__in=RESULT_STATUSES,
                value_numeric__isnull=False,
            )
            .values_list("order__patient_id", "test_id", "resulted_at", "value_numeric")
            .order_by("resulted_at")
        )
        for patient, test, when, value in rows:
            series[(patient, test)].append((when, value))
    states = []
    for goal in goals:
        points = series.get((goal.plan.patient_id, goal.test_id), [])
        state = GoalState(goal)
        state.points = [
            (when, value, "" if goal.met_by(value) else "H") for when, value in points
        ]
        state.latest = points[-1][1] if points else None
        state.met = goal.met_by(state.latest)
        state.missed = (
            goal.status == Goal.Status.ACTIVE
            and goal.target_date < on
            and not state.met
        )
        states.append(state)
    return states


def plan_states(plans: list[CarePlan], *, on: date | None = None) -> list[PlanState]:
    """The state of each plan (activities and goals prefetched or fetched here)."""
    on = on or clinic_today()
    plans = list(plans)
    activities = list(
        PlanActivity.objects.filter(plan__in=plans).select_related(
            "plan", "appointment_type", "test"
        )
    )
    goals = list(Goal.objects.filter(plan__in=plans).select_related("plan", "test"))
    by_plan = defaultdict(list)
    for state in activity_states(activities, on=on):
        by_plan[state.activity.plan_id].append(state)
    goals_by_plan = defaultdict(list)
    for state in goal_states(goals, on=on):
        goals_by_plan[state.goal.plan_id].append(state)
    return [
        PlanState(
            plan=plan,
            activities=by_plan.get(plan.pk, []),
            goals=goals_by_plan.get(plan.pk, []),
            review_due=plan.status == CarePlan.Status.ACTIVE
            and plan.review_date - REVIEW_DUE_WITHIN <= on,
        )
        for plan in plans
    ]
