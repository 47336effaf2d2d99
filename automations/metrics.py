"""Did it help? Runs and actions per week, and the outcome an automation aims at.

For automations about appointments: the no-show rate of the visits it touched
(an event of its run was about that visit) against the visits it did not touch,
week by week. For tasks and alerts it made: how long until somebody resolved them.
Time to insurance verification and to acknowledging a critical result, touched vs.
not, come from ``automations.outcomes``.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils import timezone

from alerts.models import InboundMessage, Notification, StaffAlert
from automations.models import ActionOutcome, Automation, AutomationRun
from automations.outcomes import Outcome, outcome_measure
from automations.sources import visit_model
from clinic.clock import local_midnight

WEEKS = 8


@dataclass
class Week:
    start: date
    runs: int = 0
    done: int = 0
    failed: int = 0
    touched: int = 0
    touched_no_show: int = 0
    other: int = 0
    other_no_show: int = 0

    @property
    def touched_rate(self) -> float | None:
        return self.touched_no_show / self.touched if self.touched else None

    @property
    def other_rate(self) -> float | None:
        return self.other_no_show / self.other if self.other else None


@dataclass
class Metrics:
    weeks: list[Week]
    runs: int = 0
    done: int = 0
    failed: int = 0
    skipped: int = 0
    messages: int = 0
    delivered: int = 0
    replies: int = 0
    tasks: int = 0
    tasks_resolved: int = 0
    median_hours_to_resolve: float | None = None
    outcome: Outcome | None = None

    @property
    def chart_rows(self) -> list[tuple[str, tuple]]:
        """Per week: the no-show rate (per cent) of the visits it touched and of
        the others, as (label, values) rows for ``clinic.svg_chart.bar_chart``."""
        return [
            (
                week.start.strftime("%d %b"),
                tuple(
                    None if rate is None else round(rate * 100)
                    for rate in (week.touched_rate, week.other_rate)
                ),
            )
            for week in self.weeks
        ]

    @property
    def outcome_chart_rows(self) -> list[tuple[str, tuple]]:
        """Per week: the median time to the outcome for the events it acted on
        (and for the others when they compare)."""
        if self.outcome is None:
            return []
        return [
            (
                day.strftime("%d %b"),
                (lags.touched_median, lags.other_median)
                if self.outcome.comparable
                else (lags.touched_median,),
            )
            for day, lags in self.outcome.rows
        ]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def automation_metrics(*, automation: Automation, weeks: int = WEEKS) -> Metrics:
    Appointment = visit_model()  # scheduling's, registered in automations.sources

    today = timezone.localdate()
    first = _monday(today) - timedelta(weeks=weeks - 1)
    start = local_midnight(first)
    table = {
        first + timedelta(weeks=i): Week(first + timedelta(weeks=i))
        for i in range(weeks)
    }
    result = Metrics(weeks=list(table.values()))

    runs = AutomationRun.objects.filter(automation=automation, started_at__gte=start)
    for started in runs.values_list("started_at", flat=True):
        table[_monday(timezone.localtime(started).date())].runs += 1
        result.runs += 1
    outcomes = ActionOutcome.objects.filter(run__in=runs)
    for status, finished, n in outcomes.values_list("status", "finished_at").annotate(
        n=Count("pk")
    ):
        week = table.get(_monday(timezone.localtime(finished).date()))
        if status == ActionOutcome.Status.DONE:
            result.done += n
            if week:
                week.done += n
        elif status == ActionOutcome.Status.FAILED:
            result.failed += n
            if week:
                week.failed += n
        elif status == ActionOutcome.Status.SKIPPED:
            result.skipped += n

    # Tasks and alerts it made: how many resolved, how fast.
    alert_type = ContentType.objects.get_for_model(StaffAlert)
    alert_ids = outcomes.filter(made_type=alert_type).values_list("made_id", flat=True)
    alerts = list(
        StaffAlert.objects.filter(pk__in=[int(i) for i in alert_ids]).values_list(
            "created_at", "resolved_at"
        )
    )
    result.tasks = len(alerts)
    hours = sorted(
        (resolved - created).total_seconds() / 3600
        for created, resolved in alerts
        if resolved is not None
    )
    result.tasks_resolved = len(hours)
    if hours:
        result.median_hours_to_resolve = round(hours[len(hours) // 2], 1)

    reminder_visits = _messages(result, automation, outcomes, start)

    # Visits it touched vs. not, by the week of the visit.
    appointment_type = ContentType.objects.get_for_model(Appointment)
    touched = {
        int(pk)
        for pk in runs.filter(event__subject_type=appointment_type).values_list(
            "event__subject_id", flat=True
        )
    } | reminder_visits
    S = Appointment.Status
    visits = Appointment.objects.filter(
        start__gte=start,
        start__lt=local_midnight(today + timedelta(days=1)),
        status__in=[S.COMPLETED, S.NO_SHOW, S.ARRIVED, S.IN_ROOM],
    ).values_list("pk", "start", "status")
    for pk, visit_start, status in visits:
        week = table[_monday(timezone.localtime(visit_start).date())]
        no_show = status == S.NO_SHOW
        if pk in touched:
            week.touched += 1
            week.touched_no_show += no_show
        else:
            week.other += 1
            week.other_no_show += no_show
    result.outcome = outcome_measure(
        automation=automation, start=start, week_starts=list(table)
    )
    return result


def _messages(result: Metrics, automation, outcomes, start) -> set[int]:
    """Messages it sent (its actions', and its reminder rules' outbox rows), how
    many were delivered, replies within three days; returns the visits reminded."""
    notification_type = ContentType.objects.get_for_model(Notification)
    made = [
        int(i)
        for i in outcomes.filter(made_type=notification_type).values_list(
            "made_id", flat=True
        )
    ]
    rules = list(
        automation.actions.filter(message_rule__isnull=False).values_list(
            "message_rule_id", flat=True
        )
    )
    sent = Notification.objects.filter(
        Q(pk__in=made) | Q(rule_id__in=rules, scheduled_for__gte=start)
    ).exclude(status="cancelled")
    rows = list(
        sent.values_list("patient_id", "created_at", "delivered_at", "appointment_id")
    )
    result.messages = len(rows)
    result.delivered = sum(1 for row in rows if row[2] is not None)
    patients = defaultdict(list)
    for patient_id, created, _delivered, _visit in rows:
        patients[patient_id].append(created)
    replies = InboundMessage.objects.filter(patient_id__in=list(patients))
    result.replies = sum(
        1
        for patient_id, received in replies.values_list("patient_id", "received_at")
        if any(c <= received <= c + timedelta(days=3) for c in patients[patient_id])
    )
    return {row[3] for row in rows if row[3] is not None}
