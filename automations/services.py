"""Writes of the automations app: drafting, switching on and off, copying starters."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import Notification, StaffAlert
from alerts.services import alert_resolve_by_key, notifications_cancel
from automations import engine
from automations.dryrun import DryRun, dry_run
from automations.events import publish
from automations.models import (
    Action,
    ActionOutcome,
    Automation,
    AutomationRun,
    Condition,
    Event,
    Trigger,
)
from automations.reminders.jobs import (
    reminders_backfill_later,
    reminders_refresh_later,
)
from automations.starters import build_starter
from automations.texts import TemplateError, check_text
from clinic.copies import fields_of

INCOMPLETE = _("This automation cannot be switched on yet: %(problems)s")
NO_ACTIONS = _("add at least one action")
WAIT_LAST = _("a wait must be followed by another action")
NEEDS_OFFSET = _("say how long before or after the appointment")
NEEDS_SCHEDULE = _("choose the time and at least one day")
CONDITION_NO_VALUE = _("condition %(n)s (%(field)s) has no value")
ACTION_PROBLEM = _("action %(n)s (%(kind)s): %(problem)s")


def _action_problem(action: Action) -> str:
    K = Action.Kind
    if action.kind in (K.CREATE_TASK, K.RAISE_ALERT):
        if not action.role and action.user_id is None:
            return _("choose a role or a person")
        if not action.title.strip():
            return _("write a title")
    if action.kind == K.SEND_MESSAGE:
        if not action.channel:
            return _("choose SMS or e-mail")
        if action.message_rule_id:
            return ""  # the reminder rule's own text, checked when the rule is saved
        if not action.body.strip():
            return _("write the text")
    if action.kind == K.ADD_TO_RECALL and action.recall_list_id is None:
        return _("choose a recall list")
    if action.kind == K.WAIT and not action.wait_minutes:
        return _("say how long to wait")
    if action.message_rule_id:
        return ""  # the reminder rule's own text, checked when the rule is saved
    for text in (action.title, action.body):
        try:
            check_text(text)
        except TemplateError as error:
            return str(error)
    return ""


def automation_problems(automation: Automation) -> list[str]:
    """What keeps an automation from being switched on (empty when complete)."""
    problems = []
    if automation.trigger == Trigger.APPOINTMENT_TIME and not automation.offset_minutes:
        problems.append(str(NEEDS_OFFSET))
    if automation.trigger == Trigger.DAILY and (
        automation.run_at is None or not automation.weekdays
    ):
        problems.append(str(NEEDS_SCHEDULE))
    for n, condition in enumerate(automation.conditions.all(), start=1):
        has_value = (
            condition.number is not None
            if condition.operator in ("gte", "lte")
            else bool(condition.values)
        )
        if not has_value:
            problems.append(
                CONDITION_NO_VALUE % {"n": n, "field": condition.get_field_display()}
            )
    actions = list(automation.actions.all())
    if not actions:
        problems.append(str(NO_ACTIONS))
    elif actions[-1].kind == Action.Kind.WAIT:
        problems.append(str(WAIT_LAST))
    for n, action in enumerate(actions, start=1):
        problem = _action_problem(action)
        if problem:
            problems.append(
                ACTION_PROBLEM
                % {"n": n, "kind": action.get_kind_display(), "problem": problem}
            )
    return problems


def automation_save(*, automation: Automation, actor) -> Automation:
    """Save the trigger part; an automation that is on must stay complete."""
    if automation.owner_id is None:
        automation.owner = actor
    automation.full_clean()
    with transaction.atomic():
        automation._change_reason = "edited"
        automation.save()
        reminders_refresh_later(automation=automation)
        if automation.enabled:
            problems = automation_problems(automation)
            if problems:
                raise ValidationError(INCOMPLETE % {"problems": "; ".join(problems)})
    return automation


def automation_enable(*, automation: Automation, actor) -> Automation:
    """An automation is switched on only when complete."""
    problems = automation_problems(automation)
    if problems:
        raise ValidationError(INCOMPLETE % {"problems": "; ".join(problems)})
    with transaction.atomic():
        automation = Automation.objects.select_for_update().get(pk=automation.pk)
        if not automation.enabled:
            automation.enabled = True
            automation.enabled_at = timezone.now()
            automation._change_reason = f"switched on by {actor.get_username()}"
            automation.save()
            reminders_backfill_later(automation=automation)
            publish(
                "automation.switched_on",
                subject=automation,
                actor=actor,
                facts={"starter": automation.starter},
            )
    return automation


def automation_dry_run(*, automation: Automation, actor) -> DryRun:
    """What the automation would have done; who looked, and when, is kept (the
    "automation.dry_run" event): switching on after a dry run is what the
    administrators' practice exercise asks."""
    publish("automation.dry_run", subject=automation, actor=actor)
    return dry_run(automation=automation)


def automation_disable(*, automation: Automation, actor) -> Automation:
    """Switching off stops the automation at once: pending waits are cancelled."""
    with transaction.atomic():
        automation = Automation.objects.select_for_update().get(pk=automation.pk)
        if automation.enabled:
            automation.enabled = False
            automation._change_reason = f"switched off by {actor.get_username()}"
            automation.save()
            reminders_refresh_later(automation=automation)
        engine.automation_stop_pending(automation=automation, now=timezone.now())
    return automation


@dataclass
class Withdrawal:
    """What taking an event back stopped."""

    events: int = 0
    runs_stopped: int = 0
    messages_cancelled: int = 0
    tasks_resolved: int = 0


def events_withdraw(*, kind: str, subject, reason: str) -> Withdrawal:
    """An event whose cause was undone (a no-show taken back) starts nothing more.

    Not yet processed, it never will be; its runs still going stop (with their
    waits); the messages they queued and not yet sent are cancelled; the tasks and
    alerts they raised are resolved. What already went out stays in the log.
    Called in the undoing service's transaction.
    """
    now = timezone.now()
    note = f"withdrawn: {reason}"
    done = Withdrawal()
    events = list(
        Event.objects.select_for_update()
        .filter(
            kind=kind,
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=str(subject.pk),
        )
        .order_by("pk")
    )
    for event in events:
        done.events += 1
        if event.processed_at is None:
            event.processed_at = now
            event.note = note[:200]
            event._change_reason = "withdrawn"
            event.save()
    runs = list(
        AutomationRun.objects.select_for_update()
        .filter(event__in=events)
        .order_by("pk")
    )
    for run in runs:
        done.runs_stopped += engine.run_stop(run=run, now=now, reason=note)
    made = ActionOutcome.objects.filter(run__in=runs, made_type__isnull=False)
    message_type = ContentType.objects.get_for_model(Notification)
    alert_type = ContentType.objects.get_for_model(StaffAlert)
    messages = []
    for outcome in made.order_by("pk"):
        if outcome.made_type_id == message_type.pk:
            messages.append(int(outcome.made_id))
        elif outcome.made_type_id == alert_type.pk:
            key = f"automation:{outcome.run_id}:{outcome.position}"
            if alert_resolve_by_key(key=key, note=note[:200]) is not None:
                done.tasks_resolved += 1
    done.messages_cancelled = notifications_cancel(ids=messages, reason=note)
    return done


def _check_editable(automation: Automation) -> None:
    if automation.enabled:
        raise ValidationError(_("Switch the automation off before changing its steps."))


def _step_added(step: Condition | Action) -> Condition | Action:
    with transaction.atomic():
        step._change_reason = "added"
        step.save()
    return step


def condition_add(*, automation: Automation, data: dict, actor) -> Condition:
    _check_editable(automation)
    condition = Condition(automation=automation, **data)
    condition.full_clean()
    return _step_added(condition)


def condition_remove(*, condition: Condition, actor) -> None:
    _check_editable(condition.automation)
    condition.delete()


def action_add(*, automation: Automation, data: dict, actor) -> Action:
    _check_editable(automation)
    last = automation.actions.order_by("-position").first()
    action = Action(
        automation=automation,
        position=(last.position + 1) if last else 0,
        **data,
    )
    action.full_clean()
    problem = _action_problem(action)
    if problem:
        raise ValidationError(problem)
    return _step_added(action)


def action_remove(*, action: Action, actor) -> None:
    _check_editable(action.automation)
    action.delete()


def action_move(*, action: Action, up: bool, actor) -> None:
    """Swap an action with its neighbour (saved one by one, with history)."""
    _check_editable(action.automation)
    actions = list(action.automation.actions.all())
    index = next(i for i, a in enumerate(actions) if a.pk == action.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(actions):
        return
    actions[index], actions[other] = actions[other], actions[index]
    with transaction.atomic():
        for position, item in enumerate(actions):
            if item.position != position:
                item.position = position
                item._change_reason = "moved"
                item.save()


def automation_copy(*, source: Automation | dict, actor, name: str = "") -> Automation:
    """A copy (of an automation or a starter), switched off, owned by ``actor``."""
    if isinstance(source, dict):
        return build_starter(source, actor=actor, name=name)
    with transaction.atomic():
        copy = Automation(
            **fields_of(
                source,
                "description trigger offset_minutes run_at weekdays match starter",
            ),
            name=name or _("Copy of %(name)s") % {"name": source.name},
            owner=actor,
        )
        copy._change_reason = f"copied from {source.pk}"
        copy.save()
        for condition in source.conditions.all():
            condition.pk, condition.automation = None, copy
            condition.save()
        for action in source.actions.all():
            action.pk, action.automation = None, copy
            action.save()
    return copy
