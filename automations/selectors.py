"""Reads shared by the automation pages."""

from datetime import date, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from automations.conditions import conditions_match
from automations.engine import MAX_DEPTH, automations_for
from automations.models import Action, ActionOutcome, Automation, AutomationRun
from clinic.clock import local_midnight

R = AutomationRun.Status
OUT = ActionOutcome.Status


def automation_list() -> QuerySet:
    """Every automation with its last run and counts (runs, actions done / failed)."""
    since = timezone.now() - timedelta(days=30)
    return (
        Automation.objects.select_related("owner")
        .annotate(
            last_run_at=Max("runs__started_at"),
            runs_30d=Count(
                "runs", filter=Q(runs__started_at__gte=since), distinct=True
            ),
        )
        .order_by("-enabled", "name")
    )


def outcome_counts(automation_ids: list[int]) -> dict[int, dict[str, int]]:
    rows = (
        ActionOutcome.objects.filter(run__automation_id__in=automation_ids)
        .values("run__automation_id", "status")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["run__automation_id"], {})[row["status"]] = row["n"]
    return counts


def runs_filtered(
    *,
    automation: Automation | None = None,
    status: str = "",
    start: date | None = None,
    end: date | None = None,
) -> QuerySet:
    runs = AutomationRun.objects.select_related(
        "automation", "event", "event__patient"
    ).annotate(
        done=Count("outcomes", filter=Q(outcomes__status=OUT.DONE)),
        failed=Count("outcomes", filter=Q(outcomes__status=OUT.FAILED)),
    )
    if automation is not None:
        runs = runs.filter(automation=automation)
    if status:
        runs = runs.filter(status=status)
    if start:
        runs = runs.filter(started_at__gte=local_midnight(start))
    if end:
        runs = runs.filter(started_at__lt=local_midnight(end + timedelta(days=1)))
    return runs.order_by("-started_at", "-pk")


def run_detail(pk: int) -> AutomationRun | None:
    return (
        AutomationRun.objects.select_related("automation", "event", "event__patient")
        .prefetch_related("outcomes", "waits")
        .filter(pk=pk)
        .first()
    )


def event_task_automated(event, *, role: str) -> bool:
    """An enabled automation that this event starts (same trigger and conditions
    as the engine decides) creates a task for ``role``: the emitting service can
    leave its own built-in task to it, so staff do not get the same task twice."""
    if event is None or event.depth > MAX_DEPTH:
        return False
    for automation in automations_for(event):
        has_task = automation.actions.filter(
            kind=Action.Kind.CREATE_TASK, role=role, user__isnull=True
        ).exists()
        if has_task and conditions_match(automation, event.facts):
            return True
    return False
