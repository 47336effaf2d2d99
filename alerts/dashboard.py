"""Home-page panel of alerts: the user's open tasks and alerts, most urgent first,
each leading to its work (listed in clinic/dashboard.py PANELS)."""

from django.utils.translation import gettext as _

from alerts.kinds import alerts_shown
from alerts.models import StaffAlert
from alerts.selectors import inbox_for
from clinic.panels import Panel

LIMIT = 6


def my_tasks(request) -> Panel | None:
    if not request.user.has_perm("alerts.view_staffalert"):
        return None
    alerts = inbox_for(user=request.user, status=StaffAlert.Status.OPEN)
    shown = alerts_shown(alerts[:LIMIT], user=request.user)
    return Panel(
        title=_("My tasks"),
        template="alerts/panels/_my_tasks.html",
        context={"alerts": shown, "count": alerts.count()},
    )
