"""The care plans' sweeper (listed in clinic.dispatch.SWEEPERS): it tells
automations which activities are due or overdue, which plans are due for review
and which goals were missed.

Each event is made once for what it is about and its date (an activity's due
day, a plan's review date, a goal's target date): the event's unique ``key``, so
two sweeps at once (or every minute) publish it once.
"""

from datetime import datetime

from automations.events import publish
from automations.models import Event, Trigger
from careplans.models import CarePlan
from careplans.progress import DUE, OVERDUE, plan_states
from clinic.clock import today

BATCH = 500


def _facts(plan: CarePlan, **more) -> dict:
    code = plan.problem.code
    return {
        "problem": sorted({code, code[:3]}),
        "plan": plan.starter,
        "plan_id": plan.pk,
        **more,
    }


def plan_events(plans: list[CarePlan], *, now: datetime) -> list[tuple]:
    """(trigger, key, subject, facts) of every event of these plans due now."""
    on = today(now)
    wanted = []
    for state in plan_states(plans, on=on):
        plan = state.plan
        for item in state.activities:
            if item.state not in (DUE, OVERDUE):
                continue
            trigger = (
                Trigger.PLAN_ACTIVITY_OVERDUE
                if item.state == OVERDUE
                else Trigger.PLAN_ACTIVITY_DUE
            )
            activity = item.activity
            facts = _facts(
                plan,
                activity=[
                    activity.kind,
                    *([activity.test.code] if activity.test else []),
                ],
                due_date=item.next_due.isoformat(),
            )
            key = f"{trigger}:{activity.pk}:{item.next_due.isoformat()}"
            wanted.append((trigger, key, activity, facts))
        if state.review_due:
            facts = _facts(plan, due_date=plan.review_date.isoformat())
            key = f"{Trigger.PLAN_REVIEW_DUE}:{plan.pk}:{plan.review_date.isoformat()}"
            wanted.append((Trigger.PLAN_REVIEW_DUE, key, plan, facts))
        for goal in state.goals:
            if goal.missed:
                day = goal.goal.target_date.isoformat()
                facts = _facts(plan, due_date=day)
                key = f"{Trigger.GOAL_MISSED}:{goal.goal.pk}:{day}"
                wanted.append((Trigger.GOAL_MISSED, key, goal.goal, facts))
    return wanted


def _active_plans_in_batches():
    plans = (
        CarePlan.objects.filter(status=CarePlan.Status.ACTIVE)
        .select_related("problem", "patient")
        .order_by("pk")
    )
    last = 0
    while batch := list(plans.filter(pk__gt=last)[:BATCH]):
        yield batch
        last = batch[-1].pk


def careplans_sweep(now: datetime) -> int:
    made = 0
    for plans in _active_plans_in_batches():
        made += _publish_new(plan_events(plans, now=now))
    return made


def _publish_new(wanted: list[tuple]) -> int:
    keys = [key for _t, key, _s, _f in wanted]
    seen = set(Event.objects.filter(key__in=keys).values_list("key", flat=True))
    made = 0
    for trigger, key, subject, facts in wanted:
        if key in seen:
            continue
        patient = getattr(subject, "patient", None) or subject.plan.patient
        # A sweep running at the same moment loses on the unique key: publish
        # records nothing and returns None.
        event = publish(trigger, patient=patient, subject=subject, facts=facts, key=key)
        made += event is not None
    return made
