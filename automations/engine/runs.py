"""A run's actions, one step at a time: waits, retries, stopping.

``automations.engine.batches`` starts runs and does their first actions in the
transaction that marks their event processed; a run that waits or whose action
failed is carried on here, one step per transaction.
"""

import logging
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from automations import actions as steps
from automations.events import current_depth
from automations.models import (
    Action,
    ActionOutcome,
    Automation,
    AutomationRun,
    Event,
    ScheduledWait,
)
from clinic.queueing import enqueue_on_commit

# Jobs by path: the job module imports this one.
RUN_ADVANCE_JOB = "automations.jobs.run_advance_job"
WAIT_FIRE_JOB = "automations.jobs.wait_fire_job"

logger = logging.getLogger(__name__)

RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5)]  # then it fails

R = AutomationRun.Status


def event_subject(event: Event):
    if event.subject_type_id is None:
        return None
    model = ContentType.objects.get_for_id(event.subject_type_id).model_class()
    return model._default_manager.filter(pk=event.subject_id).first()


def _context(run: AutomationRun, at: datetime) -> steps.Context:
    event = run.event
    return steps.Context(
        event=event, patient=event.patient, subject=event_subject(event), at=at
    )


def _enqueue_later(job: str, pk: int, at: datetime) -> None:
    try:
        enqueue_on_commit(job, pk, queue="default", at=at)
    except Exception:
        logger.exception("Could not schedule %s for %s", job, pk)


def _finish(run: AutomationRun, status: str, now: datetime, error: str = "") -> None:
    run.status = status
    run.finished_at = now
    run.retry_at = None
    run.error = error
    run._change_reason = status
    run.save()


def _step_once(run_id: int, now: datetime) -> bool:
    """Do the run's next action; True when there is more to do right away."""
    with transaction.atomic():
        run = (
            AutomationRun.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("automation", "event__patient")
            .filter(pk=run_id, status__in=[R.RUNNING, R.RETRYING])
            .first()
        )
        if run is None:
            return False
        if run.status == R.RETRYING and run.retry_at and run.retry_at > now:
            return False
        if not run.automation.enabled:
            _finish(run, R.CANCELLED, now, "automation switched off")
            return False
        actions = list(run.automation.actions.select_related("user", "recall_list"))
        position = run.next_position
        if position >= len(actions):
            _finish(run, R.DONE, now)
            return False
        action = actions[position]
        if action.kind == Action.Kind.WAIT:
            due = now + timedelta(minutes=action.wait_minutes or 0)
            wait, _created = ScheduledWait.objects.get_or_create(
                run=run, position=position, defaults={"due_at": due}
            )
            ActionOutcome.objects.get_or_create(
                run=run,
                position=position,
                defaults={
                    "kind": action.kind,
                    "status": ActionOutcome.Status.DONE,
                    "attempts": 1,
                    "detail": "waits until "
                    + timezone.localtime(wait.due_at).strftime("%d %b %H:%M"),
                },
            )
            run.status = R.WAITING
            run.next_position = position + 1
            run._change_reason = "waiting"
            run.save()
            _enqueue_later(WAIT_FIRE_JOB, wait.pk, wait.due_at)
            return False
        outcome = ActionOutcome.objects.filter(run=run, position=position).first()
        attempts = (outcome.attempts if outcome else 0) + 1
        token = current_depth.set(run.event.depth)
        try:
            with transaction.atomic():
                status, detail, made = action_do(
                    action, _context(run, now), run=run, position=position
                )
                _record(run, position, action, status, attempts, detail, "", made, now)
        except Exception as error:  # noqa: BLE001 - recorded and retried
            action_failed(run, position, action, attempts, error, now)
            return False
        finally:
            current_depth.reset(token)
        run.status = R.RUNNING
        run.retry_at = None
        run.next_position = position + 1
        run._change_reason = f"action {position + 1} {status}"
        run.save()
    return True


def action_failed(run, position, action, attempts: int, error, now) -> None:
    """A failed action: retried after ``RETRY_DELAYS``, then the run fails."""
    logger.warning("Run %s action %s failed: %s", run.pk, position, error)
    message = f"{type(error).__name__}: {error}"[:2000]
    retrying = attempts <= len(RETRY_DELAYS)
    status = ActionOutcome.Status.RETRYING if retrying else ActionOutcome.Status.FAILED
    _record(run, position, action, status, attempts, "", message, None, now)
    if not retrying:
        _finish(run, R.FAILED, now, message)
        return
    run.status = R.RETRYING
    run.retry_at = now + RETRY_DELAYS[attempts - 1]
    run.error = message
    run._change_reason = f"action {position + 1} failed, retrying"
    run.save()
    _enqueue_later(RUN_ADVANCE_JOB, run.pk, run.retry_at)


def action_do(
    action: Action, context: steps.Context, *, run, position: int, raise_alert=None
):
    """Plan and do one action: (outcome status, detail, made record or None)."""
    step = steps.plan(action, context)
    if step.skip:
        return ActionOutcome.Status.SKIPPED, step.describes, None
    detail, made = steps.execute(
        action,
        step,
        run=run,
        position=position,
        context=context,
        raise_alert=raise_alert,
    )
    return ActionOutcome.Status.DONE, detail, made


def outcome_fill(outcome, status, attempts, detail, error, made, now):
    """Write what an action did (or why not) on its outcome row, unsaved."""
    outcome.status = status
    outcome.attempts = attempts
    outcome.detail = (detail or "")[:300]
    outcome.error = error
    outcome.finished_at = now
    if made is not None and getattr(made, "pk", None) is not None:
        outcome.made_type = ContentType.objects.get_for_model(made)
        outcome.made_id = str(made.pk)
    return outcome


def _record(run, position, action, status, attempts, detail, error, made, now):
    outcome = ActionOutcome.objects.filter(run=run, position=position).first()
    if outcome is None:
        outcome = ActionOutcome(run=run, position=position, kind=action.kind)
    outcome_fill(outcome, status, attempts, detail, error, made, now)
    outcome.save()


def run_advance(*, run_id: int, now: datetime | None = None) -> None:
    """Carry a run on until it waits, retries, fails or is done."""
    for _ in range(100):
        if not _step_once(run_id, now or timezone.now()):
            return


def wait_fire(*, wait_id: int, now: datetime | None = None) -> bool:
    """A due wait resumes its run, once."""
    now = now or timezone.now()
    with transaction.atomic():
        wait = (
            ScheduledWait.objects.select_for_update(skip_locked=True)
            .filter(pk=wait_id, status=ScheduledWait.Status.PENDING, due_at__lte=now)
            .first()
        )
        if wait is None:
            return False
        wait.status = ScheduledWait.Status.FIRED
        wait.fired_at = now
        wait.save()
        run = AutomationRun.objects.select_for_update().get(pk=wait.run_id)
        if run.status != R.WAITING:
            return False
        run.status = R.RUNNING
        run._change_reason = "wait over"
        run.save()
    run_advance(run_id=wait.run_id, now=now)
    return True


def automation_stop_pending(*, automation: Automation, now: datetime) -> int:
    """Switching an automation off cancels its pending waits and retries."""
    stopped = 0
    waits = ScheduledWait.objects.select_for_update().filter(
        run__automation=automation, status=ScheduledWait.Status.PENDING
    )
    for wait in waits:
        wait.status = ScheduledWait.Status.CANCELLED
        wait._change_reason = "automation switched off"
        wait.save()
        stopped += 1
    runs = AutomationRun.objects.select_for_update().filter(
        automation=automation, status__in=[R.WAITING, R.RETRYING, R.RUNNING]
    )
    for run in runs:
        _finish(run, R.CANCELLED, now, "automation switched off")
    return stopped


PENDING_RUN_STATUSES = [R.WAITING, R.RETRYING, R.RUNNING]


def run_stop(*, run: AutomationRun, now: datetime, reason: str) -> bool:
    """Stop a locked run that has not finished: its pending waits are cancelled.
    Returns whether it was still pending."""
    for wait in ScheduledWait.objects.select_for_update().filter(
        run=run, status=ScheduledWait.Status.PENDING
    ):
        wait.status = ScheduledWait.Status.CANCELLED
        wait._change_reason = reason[:100]
        wait.save()
    if run.status not in PENDING_RUN_STATUSES:
        return False
    _finish(run, R.CANCELLED, now, reason)
    return True
