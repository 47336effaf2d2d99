"""The patient chart's header shows the patient's unresolved staff alerts."""

from alerts.models import StaffAlert

CHART_ALERT_LIMIT = 5


def open_alerts_for_chart(request, patient) -> list[str]:
    """Titles of the patient's unresolved alerts, most urgent first (one query)."""
    if not request.user.has_perm("alerts.view_staffalert"):
        return []
    alerts = (
        StaffAlert.objects.filter(patient=patient)
        .exclude(status=StaffAlert.Status.RESOLVED)
        .order_by("-priority", "created_at")
        .values_list("title", flat=True)[:CHART_ALERT_LIMIT]
    )
    return list(alerts)
