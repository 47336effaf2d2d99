"""The outcome an automation aims at, beyond no-shows: how long until it was done.

- Time to insurance verification, for automations that run an insurance check or
  create a verify-insurance task (a task whose title names insurance, eligibility
  or coverage): from the triggering event to the next answered insurance check
  (active or not active; an error is no answer) of the patient's primary active
  coverage.
- Time to acknowledge a critical result, for automations triggered by
  ``result.critical``: from the event to the acknowledgement of that result's
  critical-result alert.

Each is measured per week of the event, for the events the automation ran on
("touched") and the events of the same kind it did not run on (conditions not
met, switched off at the time). Automations on made-up events (a time before a
visit, a daily schedule) compare only their own events.
"""

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerts.models import StaffAlert
from automations.models import Action, Automation, AutomationRun, Event, Trigger
from automations.sources import result_model
from registration.models import EligibilityCheck
from registration.selectors import coverage_primary_ids

VERIFY = "verify"
ACKNOWLEDGE = "acknowledge"
VERIFY_TASK_WORDS = re.compile(r"insurance|eligib|coverage", re.IGNORECASE)
MADE_UP = {Trigger.APPOINTMENT_TIME, Trigger.DAILY}


@dataclass
class Lags:
    """Durations (in the measure's unit) of one week, touched vs. not."""

    touched: list[float] = field(default_factory=list)
    other: list[float] = field(default_factory=list)
    touched_open: int = 0  # events with no answer yet
    other_open: int = 0

    @staticmethod
    def _median(values: list[float]) -> float | None:
        return round(statistics.median(values), 1) if values else None

    @property
    def touched_median(self) -> float | None:
        return self._median(self.touched)

    @property
    def other_median(self) -> float | None:
        return self._median(self.other)


@dataclass
class Outcome:
    measure: str
    label: str
    unit: str
    weeks: dict[date, Lags]
    comparable: bool = True

    @property
    def rows(self) -> list[tuple[date, Lags]]:
        return sorted(self.weeks.items())


def measure_for(automation: Automation) -> str | None:
    """Which time-to-done outcome the automation aims at, if any."""
    if automation.trigger == Trigger.RESULT_CRITICAL:
        return ACKNOWLEDGE
    for kind, title in automation.actions.values_list("kind", "title"):
        if kind == Action.Kind.CHECK_ELIGIBILITY:
            return VERIFY
        if kind == Action.Kind.CREATE_TASK and VERIFY_TASK_WORDS.search(title):
            return VERIFY
    return None


def _events(automation: Automation, start: datetime) -> list[tuple[Event, bool]]:
    events = Event.objects.filter(
        kind=automation.trigger, occurred_at__gte=start, patient__isnull=False
    )
    if automation.trigger in MADE_UP:
        events = events.filter(for_automation=automation)
    touched = set(
        AutomationRun.objects.filter(
            automation=automation, event__in=events
        ).values_list("event_id", flat=True)
    )
    return [(event, event.pk in touched) for event in events.order_by("occurred_at")]


def _verification_hours(events: list[Event]) -> dict[int, float | None]:
    """Event id → hours to the next answered check of the primary coverage
    (None: not answered yet); events of patients without coverage are left out."""
    if not events:
        return {}
    patients = {event.patient_id for event in events}
    primary = coverage_primary_ids(patient_ids=patients, on=timezone.localdate())
    first = min((event.occurred_at for event in events), default=None)
    answered = defaultdict(list)
    R = EligibilityCheck.Result
    for coverage_id, completed in (
        EligibilityCheck.objects.filter(
            coverage_id__in=set(primary.values()),
            completed_at__gte=first,
            result__in=[R.ACTIVE, R.INACTIVE],
        )
        .order_by("completed_at")
        .values_list("coverage_id", "completed_at")
    ):
        answered[coverage_id].append(completed)
    lags: dict[int, float | None] = {}
    for event in events:
        coverage_id = primary.get(event.patient_id)
        if coverage_id is None:
            continue
        after = [c for c in answered[coverage_id] if c >= event.occurred_at]
        lags[event.pk] = (
            (after[0] - event.occurred_at).total_seconds() / 3600 if after else None
        )
    return lags


def _acknowledgement_minutes(events: list[Event]) -> dict[int, float | None]:
    """Event id → minutes to the acknowledgement of the result's critical alert."""
    Observation = result_model()

    observation_type = ContentType.objects.get_for_model(Observation)
    results = [e for e in events if e.subject_type_id == observation_type.pk]
    acknowledged = defaultdict(list)
    for subject_id, at in (
        StaffAlert.objects.filter(
            kind="critical_result",
            subject_type=observation_type,
            subject_id__in={e.subject_id for e in results},
            acknowledged_at__isnull=False,
        )
        .order_by("acknowledged_at")
        .values_list("subject_id", "acknowledged_at")
    ):
        acknowledged[subject_id].append(at)
    lags: dict[int, float | None] = {}
    for event in results:
        after = [a for a in acknowledged[event.subject_id] if a >= event.occurred_at]
        lags[event.pk] = (
            (after[0] - event.occurred_at).total_seconds() / 60 if after else None
        )
    return lags


def outcome_measure(
    *, automation: Automation, start: datetime, week_starts: list[date]
) -> Outcome | None:
    """The automation's time-to-done outcome per week (None: it aims at none)."""
    measure = measure_for(automation)
    if measure is None:
        return None
    pairs = _events(automation, start)
    events = [event for event, _touched in pairs]
    if measure == VERIFY:
        lags = _verification_hours(events)
        outcome = Outcome(VERIFY, _("Time to insurance verification"), _("h"), weeks={})
    else:
        lags = _acknowledgement_minutes(events)
        outcome = Outcome(
            ACKNOWLEDGE, _("Time to acknowledge a critical result"), _("min"), weeks={}
        )
    outcome.weeks = {day: Lags() for day in week_starts}
    outcome.comparable = automation.trigger not in MADE_UP
    for event, touched in pairs:
        if event.pk not in lags:
            continue
        day = timezone.localtime(event.occurred_at).date()
        week = outcome.weeks.get(day - timedelta(days=day.weekday()))
        if week is None:
            continue
        lag = lags[event.pk]
        if lag is None:
            if touched:
                week.touched_open += 1
            else:
                week.other_open += 1
        elif touched:
            week.touched.append(lag)
        else:
            week.other.append(lag)
    return outcome
