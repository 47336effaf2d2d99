"""Dry run: what a (draft) automation would have done over past days — nothing sent.

It walks the same events the live engine would see (the event log; for time-relative
and daily triggers, the appointments and days that would have made them) and uses
the engine's own ``conditions_match`` and ``actions.plan``.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from automations import actions as steps
from automations.conditions import conditions_match
from automations.engine import event_subject
from automations.facts import facts_for
from automations.models import Action, Automation, Event, Trigger
from automations.schedule import daily_due_on, time_relative_candidates

DAYS = 30
LIMIT_ROWS = 200  # rows listed on the page; the counts cover every event


@dataclass
class Would:
    when: datetime
    patient: object
    steps: list


@dataclass
class DryRun:
    start: datetime
    end: datetime
    events: int = 0
    matched: int = 0
    rows: list = field(default_factory=list)  # Would, newest first, capped
    per_day: list = field(default_factory=list)  # (date, {kind: n})
    totals: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)

    @staticmethod
    def _labelled(counts: Counter) -> list[tuple[str, int]]:
        return [(str(Action.Kind(kind).label), n) for kind, n in sorted(counts.items())]

    @property
    def totals_list(self) -> list[tuple[str, int]]:
        return self._labelled(self.totals)

    @property
    def skipped_list(self) -> list[tuple[str, int]]:
        return self._labelled(self.skipped)

    @property
    def per_day_list(self) -> list[tuple[date, list[tuple[str, int]]]]:
        return [(day, self._labelled(counts)) for day, counts in self.per_day]


@dataclass
class _Candidate:
    when: datetime
    patient: object
    subject: object
    facts: dict


def _expected_at(appointment, when: datetime) -> bool:
    """Was the visit booked, and not yet cancelled, at ``when``?"""
    if appointment.booked_at and appointment.booked_at > when:
        return False
    if appointment.cancelled_at and appointment.cancelled_at <= when:
        return False
    if when > appointment.start:  # after the start: it must have taken place
        return appointment.status not in ("cancelled",)
    return True


def _candidates(automation: Automation, start: datetime, end: datetime):
    if automation.trigger == Trigger.APPOINTMENT_TIME:
        offset = timedelta(minutes=automation.offset_minutes or 0)
        for appointment in time_relative_candidates(
            automation=automation, start=start, end=end, past=True
        ):
            when = appointment.start + offset
            if not _expected_at(appointment, when):
                continue
            facts = facts_for(patient=appointment.patient, subject=appointment, at=when)
            yield _Candidate(when, appointment.patient, appointment, facts)
        return
    if automation.trigger == Trigger.DAILY:
        day: date = timezone.localtime(start).date()
        while day <= timezone.localtime(end).date():
            moment = daily_due_on(automation, day)
            if moment is not None and start < moment <= end:
                yield _Candidate(moment, None, None, {"date": day.isoformat()})
            day += timedelta(days=1)
        return
    events = (
        Event.objects.filter(
            kind=automation.trigger,
            occurred_at__gt=start,
            occurred_at__lte=end,
            for_automation__isnull=True,
        )
        .select_related("patient")
        .order_by("occurred_at")
    )
    for event in events.iterator(chunk_size=500):
        yield _Candidate(
            event.occurred_at, event.patient, event_subject(event), event.facts
        )


def would_do(automation: Automation, candidate: _Candidate, actions: list[Action]):
    """The steps the engine would plan for this event (waits move the clock on)."""
    context = steps.Context(
        event=None,
        patient=candidate.patient,
        subject=candidate.subject,
        at=candidate.when,
    )
    planned = []
    for action in actions:
        step = steps.plan(action, context)
        planned.append(step)
        if action.kind == Action.Kind.WAIT:
            context.at = step.due_at
    return planned


def dry_run(
    *, automation: Automation, end: datetime | None = None, days: int = DAYS
) -> DryRun:
    end = end or timezone.now()
    start = end - timedelta(days=days)
    result = DryRun(start=start, end=end)
    conditions = list(automation.conditions.all())
    actions = list(automation.actions.select_related("user", "recall_list"))
    per_day: dict[date, Counter] = defaultdict(Counter)
    for candidate in _candidates(automation, start, end):
        result.events += 1
        if not conditions_match(automation, candidate.facts, conditions):
            continue
        result.matched += 1
        planned = would_do(automation, candidate, actions)
        for step in planned:
            if step.kind == Action.Kind.WAIT:
                continue
            if step.skip:
                result.skipped[step.kind] += 1
                continue
            result.totals[step.kind] += 1
            per_day[timezone.localtime(step.at).date()][step.kind] += 1
        result.rows.append(Would(candidate.when, candidate.patient, planned))
    result.rows = list(reversed(result.rows))[:LIMIT_ROWS]
    result.per_day = sorted(per_day.items())
    return result
