"""Every write of the care plans: problems, plans from starters, goals,
activities, education contacts, reviews.

Clinicians keep problems and plans (their pages ask for it); services take the
acting user for history and validate as any caller may be a job or a command.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from careplans.exceptions import PlanClosed, ProblemAlreadyListed
from careplans.models import CarePlan, EducationContact, Goal, PlanActivity, Problem
from careplans.starters import PlanStarter
from clinic.clock import today
from diagnostics.models import TestDefinition
from scheduling.models import AppointmentType

K = PlanActivity.Kind

ALREADY_LISTED = _("%(code)s is already on the active problem list.")
REVIEW_BEFORE_START = _("The review date is before the plan's start.")
NOT_ACTIVE = _("This plan is %(status)s; it changes no more.")
ALREADY_RESOLVED = _("This problem is already resolved.")


def _saved(record, reason: str):
    """Save with the reason history keeps."""
    record._change_reason = reason[:100]
    record.save()
    return record


def problem_add(
    *,
    patient,
    code: str,
    description: str,
    actor,
    onset_date: date | None = None,
    appointment=None,
) -> Problem:
    """A condition goes on the list once while active (a database constraint)."""
    problem = Problem(
        patient=patient,
        code=code.strip().upper(),
        description=description.strip(),
        onset_date=onset_date,
        appointment=appointment,
        recorded_by=actor,
    )
    problem.full_clean(validate_constraints=False)
    message = ALREADY_LISTED % {"code": problem.code}
    if Problem.objects.filter(
        patient=patient, code=problem.code, status=Problem.Status.ACTIVE
    ).exists():
        raise ProblemAlreadyListed(message)
    try:
        with transaction.atomic():
            _saved(problem, "added to the problem list")
    except IntegrityError as error:
        raise ProblemAlreadyListed(message) from error
    return problem


def problem_resolve(*, problem: Problem, actor, on: date | None = None) -> Problem:
    with transaction.atomic():
        problem = Problem.objects.select_for_update().get(pk=problem.pk)
        if problem.status == Problem.Status.RESOLVED:
            raise ValidationError(ALREADY_RESOLVED)
        problem.status = Problem.Status.RESOLVED
        problem.resolved_on = on or today()
        return _saved(problem, f"resolved by {actor.get_username()}")


def plan_from_starter(
    *,
    problem: Problem,
    starter: PlanStarter,
    responsible,
    actor,
    start_date: date | None = None,
) -> CarePlan:
    """A plan for a problem with the starter's goals and activities (tests and
    visit types the clinic does not have are left out, not invented)."""
    start = start_date or today()
    with transaction.atomic():
        plan = CarePlan(
            patient=problem.patient,
            problem=problem,
            title=str(starter.title),
            starter=starter.slug,
            start_date=start,
            review_date=start + starter.review_after,
            responsible=responsible,
            created_by=actor,
        )
        plan.full_clean()
        _saved(plan, f"made from starter {starter.slug}")
        tests = {t.code: t for t in TestDefinition.objects.filter(active=True)}
        types = {t.name: t for t in AppointmentType.objects.filter(is_active=True)}
        for goal in starter.goals:
            test = tests.get(goal.test_code)
            if goal.test_code and test is None:
                continue
            Goal.objects.create(
                plan=plan,
                description=str(goal.description),
                test=test,
                comparator=goal.comparator,
                target=goal.target,
                target_date=start + goal.within,
            )
        for spec in starter.activities:
            test = tests.get(spec.test_code) if spec.test_code else None
            kind = types.get(spec.visit_type) if spec.visit_type else None
            if (spec.test_code and test is None) or (spec.visit_type and kind is None):
                continue
            PlanActivity.objects.create(
                plan=plan,
                kind=spec.kind,
                test=test,
                appointment_type=kind,
                every=spec.every,
                unit=spec.unit,
            )
    return plan


def _open_plan(plan: CarePlan) -> CarePlan:
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in (CarePlan.Status.ACTIVE, CarePlan.Status.ON_HOLD):
        raise PlanClosed(NOT_ACTIVE % {"status": plan.get_status_display().lower()})
    return plan


def plan_review(
    *, plan: CarePlan, actor, review_date: date, status: str = CarePlan.Status.ACTIVE
) -> CarePlan:
    """A reviewed plan gets its next review date (or is completed / stopped)."""
    with transaction.atomic():
        plan = _open_plan(plan)
        if review_date < plan.start_date:
            raise ValidationError({"review_date": REVIEW_BEFORE_START})
        plan.review_date = review_date
        plan.status = status
        plan.full_clean()
        return _saved(plan, f"reviewed by {actor.get_username()}")


def activity_add(
    *,
    plan: CarePlan,
    kind: str,
    every: int,
    unit: str,
    actor,
    appointment_type=None,
    test=None,
) -> PlanActivity:
    with transaction.atomic():
        plan = _open_plan(plan)
        activity = PlanActivity(
            plan=plan,
            kind=kind,
            every=every,
            unit=unit,
            appointment_type=appointment_type
            if kind == PlanActivity.Kind.VISIT
            else None,
            test=test if kind == PlanActivity.Kind.TEST else None,
        )
        errors = {}
        if kind == PlanActivity.Kind.VISIT and appointment_type is None:
            errors["appointment_type"] = _("Choose the kind of visit.")
        if kind == PlanActivity.Kind.TEST and test is None:
            errors["test"] = _("Choose the test.")
        if errors:
            raise ValidationError(errors)
        activity.full_clean()
        return _saved(activity, f"added by {actor.get_username()}")


def activity_stop(*, activity: PlanActivity, actor) -> PlanActivity:
    with transaction.atomic():
        _open_plan(activity.plan)
        activity = PlanActivity.objects.select_for_update().get(pk=activity.pk)
        activity.status = PlanActivity.Status.STOPPED
        return _saved(activity, f"stopped by {actor.get_username()}")


def education_record(
    *,
    activity: PlanActivity,
    topic: str,
    actor,
    done_on: date | None = None,
    now: datetime | None = None,
) -> EducationContact:
    """An education contact, the one activity nothing else in the record shows."""
    if activity.kind != PlanActivity.Kind.EDUCATION:
        raise ValidationError(_("Only an education activity is recorded by hand."))
    done_on = done_on or today(now or timezone.now())
    if done_on > today(now or timezone.now()):
        raise ValidationError({"done_on": _("The contact cannot be in the future.")})
    contact = EducationContact(
        activity=activity, topic=topic.strip(), done_on=done_on, recorded_by=actor
    )
    contact.full_clean()
    contact.save()
    return contact


def problems_merge(*, survivor, duplicate, note: str, actor) -> None:
    """A patient merge keeps one active problem per code: the duplicate's copy of
    one the survivor has active ends as "merged", and its plans move to the
    survivor's (the earlier onset is kept). Both rows keep their history."""
    kept = {
        problem.code: problem
        for problem in Problem.objects.select_for_update().filter(
            patient=survivor, status=Problem.Status.ACTIVE
        )
    }
    doubles = Problem.objects.select_for_update().filter(
        patient=duplicate, status=Problem.Status.ACTIVE, code__in=list(kept)
    )
    for double in doubles:
        problem = kept[double.code]
        for plan in double.plans.all():
            plan.problem = problem
            _saved(plan, note)
        if double.onset_date and (
            problem.onset_date is None or double.onset_date < problem.onset_date
        ):
            problem.onset_date = double.onset_date
            _saved(problem, note)
        double.status = Problem.Status.MERGED
        _saved(double, f"duplicate of problem {problem.pk}; {note}")
