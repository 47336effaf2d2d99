"""The patient chart's header shows the patient's unresolved staff alerts."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from alerts.selectors import chart_alerts_for, conversation
from clinic.panels import Panel

CHART_ALERT_LIMIT = 5


def open_alerts_for_chart(request, patient) -> list[str]:
    """Titles of the patient's unresolved alerts that the user may read, most
    urgent first (one query)."""
    if not request.user.has_perm("alerts.view_staffalert"):
        return []
    alerts = chart_alerts_for(patient=patient, user=request.user)
    return list(alerts.values_list("title", flat=True)[:CHART_ALERT_LIMIT])


def messages_panel(request, patient):
    """The conversation with the patient: our texts and e-mails and theirs."""
    if not request.user.has_perm("alerts.view_notification"):
        return None
    return Panel(
        key="messages",
        title=_("Messages"),
        template="alerts/chart/_messages.html",
        context={
            "conversation": conversation(patient=patient),
            "outbox_url": reverse("alerts:outbox")
            + "?"
            + urlencode({"q": patient.mrn}),
        },
    )
