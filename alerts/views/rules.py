"""The reminder-rule pages moved to automations (a reminder rule is the message
of an automation): their old addresses redirect there."""

from django.views.generic import RedirectView

from clinic.permissions import RoleRequiredMixin


class RuleMovedView(RoleRequiredMixin, RedirectView):
    permission_required = "alerts.view_reminderrule"
    query_string = True


def moved(pattern_name: str):
    return RuleMovedView.as_view(pattern_name=pattern_name)
