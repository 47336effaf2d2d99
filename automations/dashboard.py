"""The administrators' home panel: automations on, today's runs, recent failures."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from automations.models import ActionOutcome, Automation, AutomationRun
from clinic.panels import Panel


def automations_today(request):
    if not request.user.has_perm("automations.view_automation"):
        return None
    now = timezone.now()
    midnight = timezone.localtime(now).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return Panel(
        title=_("Automations"),
        template="automations/panels/_today.html",
        context={
            "on": Automation.objects.filter(enabled=True).count(),
            "runs_today": AutomationRun.objects.filter(
                started_at__gte=midnight
            ).count(),
            "failed_week": ActionOutcome.objects.filter(
                status=ActionOutcome.Status.FAILED,
                finished_at__gte=now - timedelta(days=7),
            ).count(),
            "retrying": AutomationRun.objects.filter(
                status=AutomationRun.Status.RETRYING
            ).count(),
        },
    )
