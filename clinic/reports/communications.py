"""Every reminder and message, sent or received, with consent and delivery status;
read through the alerts selectors."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alerts.selectors import (
    COMMUNICATION_KINDS,
    communications_record,
    undelivered_count,
)
from clinic.reports.base import Column, Filters, Report, patient_columns
from clinic.reports.summary import SummaryLine


def _consent(value) -> str:
    if value is None:
        return "unknown"
    return "yes" if value else "no"


class CommunicationsReport(Report):
    slug = "communications"
    title = _("Communications")
    description = _(
        "Every reminder and message sent or received: to whom, by which channel, "
        "the patient's SMS consent then and now, and its delivery status."
    )
    columns = [
        Column(_("When"), lambda r: r["at"]),
        Column(_("Direction"), lambda r: r["direction"]),
        Column(_("Kind"), lambda r: r["kind"]),
        Column(_("Channel"), lambda r: r["channel_used"]),
        *patient_columns(""),
        Column(_("To / from"), lambda r: r["address_used"]),
        Column(_("Status"), lambda r: r["status_now"]),
        Column(_("SMS consent then"), lambda r: _consent(r["consent_then"])),
        Column(_("SMS consent now"), lambda r: _consent(r["consent_now"])),
        Column(_("Delivered"), lambda r: r["delivered"]),
        Column(_("Note"), lambda r: r["note"]),
        Column(_("Provider id"), lambda r: r["provider_ref"]),
        Column(_("Text"), lambda r: r["text"]),
        Column(_("Row"), lambda r: f"{r['direction']}-{r['row_id']}"),
    ]

    def kind_choices(self):
        return COMMUNICATION_KINDS

    def rows(self, filters: Filters):
        return communications_record(kind=filters.kind, **filters.scope())


def communication_lines(since, until) -> list:
    """The weekly summary's line: messages that did not reach the patient."""
    return [
        SummaryLine(
            "Undelivered messages this week",
            str(undelivered_count(start=since, end=until)),
            reverse("clinic:report", args=["communications"]) + "?kind=undelivered",
        )
    ]
