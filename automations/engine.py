"""The engine: an event → the automations it starts → their actions, one by one.

Rules it keeps:

* an automation runs at most once per event (unique constraint on the pair);
* an event more than ``MAX_DEPTH`` runs deep is recorded but starts nothing (loops);
* a disabled automation starts nothing and its runs stop where they are;
* each action is done and its outcome written in one transaction, so a job that
  runs twice never does an action twice; a failing action is retried
  (``RETRY_DELAYS``), then the run fails — the service that emitted the event has
  long committed and never sees it.
"""

import logging
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from automations import actions as steps
from automations.conditions import conditions_match
from automations.events import current_depth
from automations.models import (
    Action,
    ActionOutcome,
    Automation,
    AutomationRun,
    Event,
    ScheduledWait,
    Trigger,
)
from clinic.queueing import enqueue_on_commit

# Jobs by path: the job module imports this one.
RUN_ADVANCE_JOB = "automations.jobs.run_advance_job"
WAIT_FIRE_JOB = "automations.jobs.wait_fire_job"

logger = logging.getLogger(__name__)

MAX_DEPTH = 3
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5)]  # then it fails
LOOP_STOPPED = "loop stopped: %(depth)s automation runs deep"

R = AutomationRun.Status


def event_subject(event: Event):
    if event.subject_type_id is None:
        return None
    model = ContentType.objects.get_for_id(event.subject_type_id).model_class()
    return model._default_manager.filter(pk=event.subject_id).first()


def automations_for(event: Event) -> list[Automation]:
    """The enabled automations this event may start."""
    found = Automation.objects.filter(enabled=True, trigger=event.kind)
    # Made-up events (a time before a visit, a day's schedule) are for one automation.
    if event.for_automation_id is not None:
        found = found.filter(pk=event.for_automation_id)
    else:
        found = found.exclude(trigger__in=MADE_UP_TRIGGERS)
    return list(found.prefetch_related("conditions"))


MADE_UP_TRIGGERS = [Trigger.APPOINTMENT_TIME, Trigger.DAILY]


def event_process(*, event_id: int, now: datetime | None = None) -> list[int]:
    """Start the runs an event calls for (once); returns their ids."""
    now = now or timezone.now()
    started: list[int] = []
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, processed_at__isnull=True)
            .first()
        )
        if event is None:
            return []
        if event.depth > MAX_DEPTH:
            event.note = LOOP_STOPPED % {"depth": event.depth}
            logger.warning("Event %s: %s", event.pk, event.note)
        else:
            for automation in automations_for(event):
                if not conditions_match(automation, event.facts):
                    continue
                try:
                    with transaction.atomic():
                        run = AutomationRun.objects.create(
                            automation=automation, event=event, started_at=now
                        )
                except IntegrityError:
                    continue  # this automation already ran on this event
                started.append(run.pk)
        event.processed_at = now
        event.save()
    for run_id in started:
        run_advance(run_id=run_id, now=now)
    return started


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
                context = _context(run, now)
                step = steps.plan(action, context)
                made = None
                if step.skip:
                    status, detail = ActionOutcome.Status.SKIPPED, step.describes
                else:
                    detail, made = steps.execute(
                        action, step, run=run, position=position, context=context
                    )
                    status = ActionOutcome.Status.DONE
                _record(run, position, action, status, attempts, detail, "", made, now)
        except Exception as error:  # noqa: BLE001 - recorded and retried
            logger.warning("Run %s action %s failed: %s", run.pk, position, error)
            message = f"{type(error).__name__}: {error}"[:2000]
            if attempts <= len(RETRY_DELAYS):
                _record(
                    run,
                    position,
                    action,
                    ActionOutcome.Status.RETRYING,
                    attempts,
                    "",
                    message,
                    None,
                    now,
                )
                run.status = R.RETRYING
                run.retry_at = now + RETRY_DELAYS[attempts - 1]
                run.error = message
                run._change_reason = f"action {position + 1} failed, retrying"
                run.save()
                _enqueue_later(RUN_ADVANCE_JOB, run.pk, run.retry_at)
            else:
                _record(
                    run,
                    position,
                    action,
                    ActionOutcome.Status.FAILED,
                    attempts,
                    "",
                    message,
                    None,
                    now,
                )
                _finish(run, R.FAILED, now, message)
            return False
        finally:
            current_depth.reset(token)
        run.status = R.RUNNING
        run.retry_at = None
        run.next_position = position + 1
        run._change_reason = f"action {position + 1} {status}"
        run.save()
    return True


def _record(run, position, action, status, attempts, detail, error, made, now):
    outcome = ActionOutcome.objects.filter(run=run, position=position).first()
    if outcome is None:
        outcome = ActionOutcome(run=run, position=position, kind=action.kind)
    outcome.status = status
    outcome.attempts = attempts
    outcome.detail = (detail or "")[:300]
    outcome.error = error
    outcome.finished_at = now
    if made is not None and getattr(made, "pk", None) is not None:
        outcome.made_type = ContentType.objects.get_for_model(made)
        outcome.made_id = str(made.pk)
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
