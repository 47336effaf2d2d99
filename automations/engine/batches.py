"""Events → the runs they start, many events to a transaction.

Rules it keeps:

* an automation runs at most once per event: the event is locked and marked
  processed in the transaction that makes its runs, and a unique constraint on
  (automation, event) refuses a second run whatever else happens;
* an event more than ``MAX_DEPTH`` runs deep is recorded but starts nothing (loops);
* each action is done and its outcome written in one transaction (a savepoint of
  the batch's, committed with the run and its event), so an event processed twice
  never does an action twice; a failing action is recorded and retried by
  ``automations.engine.runs``, and a wait is left to it — the service that emitted
  the event has long committed and never sees either.

The enabled automations (conditions and actions with them), the events' patients
and subjects are read once a batch; the runs, their outcomes and the events' marks
are written a statement each, history rows included.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from contextlib import nullcontext
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from alerts.services import alert_new, alerts_raise_many
from automations import actions as steps
from automations.conditions import conditions_match
from automations.engine.runs import (
    action_do,
    action_failed,
    outcome_fill,
    run_advance,
)
from automations.events import current_depth
from automations.models import (
    Action,
    ActionOutcome,
    Automation,
    AutomationRun,
    Event,
    Trigger,
)
from clinic.history import rows_save, server_side_binding

logger = logging.getLogger(__name__)

MAX_DEPTH = 3
LOOP_STOPPED = "loop stopped: %(depth)s automation runs deep"
# Made-up events (a time before a visit, a day's schedule) are for one automation.
MADE_UP_TRIGGERS = [Trigger.APPOINTMENT_TIME, Trigger.DAILY]
# Events a transaction: its locks are held while their actions are done.
BATCH = 50

R = AutomationRun.Status


class Catalogue:
    """The enabled automations for some kinds of event, read once."""

    def __init__(self, kinds: Iterable[str]):
        found = (
            Automation.objects.filter(enabled=True, trigger__in=set(kinds))
            .prefetch_related(
                "conditions",
                Prefetch(
                    "actions",
                    queryset=Action.objects.select_related(
                        "user", "recall_list", "message_rule"
                    ),
                ),
            )
            .order_by("name", "pk")
        )
        self.by_trigger: dict[str, list[Automation]] = defaultdict(list)
        for automation in found:
            self.by_trigger[automation.trigger].append(automation)

    def for_event(self, event: Event) -> list[Automation]:
        """The enabled automations this event may start."""
        found = self.by_trigger.get(event.kind, [])
        if event.for_automation_id is not None:
            return [a for a in found if a.pk == event.for_automation_id]
        return [a for a in found if a.trigger not in MADE_UP_TRIGGERS]


def automations_for(event: Event) -> list[Automation]:
    """The enabled automations this event may start."""
    return Catalogue([event.kind]).for_event(event)


def _subjects(events: list[Event]) -> dict[tuple[int, str], object]:
    """The records the events are about, one query a kind of record (with the
    records they point to, which texts show: a visit's type, provider, place)."""
    wanted: dict[int, set[str]] = defaultdict(set)
    for event in events:
        if event.subject_type_id is not None:
            wanted[event.subject_type_id].add(event.subject_id)
    found = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        pointed = [f.name for f in model._meta.concrete_fields if f.many_to_one]
        for row in model._default_manager.filter(pk__in=ids).select_related(*pointed):
            found[(type_id, str(row.pk))] = row
    return found


def _runs_create(runs: list[AutomationRun], now: datetime) -> list[AutomationRun]:
    if not runs:
        return []
    try:
        with transaction.atomic():
            return bulk_create_with_history(runs, AutomationRun)
    except IntegrityError:
        pass
    # An automation already ran on one of the events (delivered again): the
    # constraint refuses that run, the others start.
    made = []
    for planned in runs:
        run = AutomationRun(
            automation=planned.automation, event=planned.event, started_at=now
        )
        try:
            with transaction.atomic():
                run.save()
        except IntegrityError:
            continue
        made.append(run)
    return made


class _Alerts:
    """Stands in for ``alert_raise`` in a batch: builds each alert, and
    ``raise_all`` raises them together."""

    def __init__(self):
        self.pending: list = []

    def __call__(self, **fields):
        alert = alert_new(**fields)
        self.pending.append(alert)
        return alert

    def raise_all(self) -> dict[int, object]:
        """Each built alert's id() → the alert raised (or the one holding its key)."""
        raised = zip(self.pending, alerts_raise_many(self.pending), strict=True)
        return {id(built): alert for built, alert in raised}


def _do(run, action, context, position: int, now: datetime, alerts: _Alerts):
    """One action in its own savepoint (an alert is only built: no savepoint);
    None when it failed (recorded, retried by ``runs``)."""
    token = current_depth.set(run.event.depth)
    built = len(alerts.pending)
    guard = nullcontext() if action.kind in steps.ALERT_KINDS else transaction.atomic()
    try:
        with guard:
            return action_do(
                action, context, run=run, position=position, raise_alert=alerts
            )
    except Exception as error:  # noqa: BLE001 - recorded and retried
        del alerts.pending[built:]
        action_failed(run, position, action, 1, error, now)
        return None
    finally:
        current_depth.reset(token)


def _runs_start(runs: list[AutomationRun], subjects: dict, now: datetime) -> list:
    """Do the new runs' actions up to each one's first wait, position by position:
    the alerts and tasks of a position are raised in one insert, outcomes and run
    states written once. Returns the ids of the runs that wait."""
    going = []
    for run in runs:
        event = run.event
        subject = subjects.get((event.subject_type_id, event.subject_id))
        context = steps.Context(
            event=event, patient=event.patient, subject=subject, at=now
        )
        going.append((run, list(run.automation.actions.all()), context))
    outcomes: list[ActionOutcome] = []
    moved, waiting = [], []
    position = 0
    while going:
        alerts, done, still = _Alerts(), [], []
        for run, actions, context in going:
            if position == len(actions):
                run.status, run.finished_at, run._change_reason = R.DONE, now, R.DONE
                moved.append(run)
            elif actions[position].kind == Action.Kind.WAIT:
                waiting.append(run.pk)  # carried on by ``runs`` after commit
                if position:
                    run._change_reason = f"action {position} done"
                    moved.append(run)
            elif result := _do(run, actions[position], context, position, now, alerts):
                done.append((run, actions[position], *result))
                still.append((run, actions, context))
        raised = alerts.raise_all()
        for run, action, status, detail, made in done:
            outcome = ActionOutcome(run=run, position=position, kind=action.kind)
            made = raised.get(id(made), made)
            outcomes.append(outcome_fill(outcome, status, 1, detail, "", made, now))
            run.next_position = position + 1
        going, position = still, position + 1
    with server_side_binding():
        bulk_create_with_history(outcomes, ActionOutcome)
        rows_save(moved, ["status", "next_position", "finished_at"])
    return waiting


def events_process(*, event_ids: list[int], now: datetime | None = None) -> list[int]:
    """Start the runs the events call for (once each); returns their ids.

    Events another worker holds, or already processed, are skipped."""
    now = now or timezone.now()
    with transaction.atomic():
        events = list(
            Event.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("patient")
            .filter(pk__in=event_ids, processed_at__isnull=True)
            .order_by("pk")
        )
        if not events:
            return []
        catalogue = Catalogue(event.kind for event in events)
        planned = []
        for event in events:
            event.processed_at = now
            if event.depth > MAX_DEPTH:
                event.note = LOOP_STOPPED % {"depth": event.depth}
                logger.warning("Event %s: %s", event.pk, event.note)
                continue
            planned += [
                AutomationRun(automation=automation, event=event, started_at=now)
                for automation in catalogue.for_event(event)
                if conditions_match(automation, event.facts)
            ]
        runs = _runs_create(planned, now)
        rows_save(events, ["processed_at", "note"])
        waiting = _runs_start(runs, _subjects(events) if runs else {}, now)
    for run_id in waiting:
        run_advance(run_id=run_id, now=now)
    return [run.pk for run in runs]


def event_process(*, event_id: int, now: datetime | None = None) -> list[int]:
    """Start the runs one event calls for (once); returns their ids."""
    return events_process(event_ids=[event_id], now=now)


def events_process_all(*, event_ids: list[int], now: datetime) -> None:
    """``BATCH`` events a transaction; a batch that fails is done one event at a
    time, so one bad event holds no other back."""
    for start in range(0, len(event_ids), BATCH):
        batch = event_ids[start : start + BATCH]
        try:
            events_process(event_ids=batch, now=now)
            continue
        except Exception:
            logger.exception("Events %s..%s: batch failed", batch[0], batch[-1])
        for event_id in batch:
            try:
                event_process(event_id=event_id, now=now)
            except Exception:
                logger.exception("Event %s could not be processed", event_id)
