"""The medication administration record, read through the medications selectors."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.reports.base import Column, Filters, Report, patient_columns
from clinic.reports.summary import SummaryLine
from medications.selectors import (
    RECORD_KINDS,
    administration_counts,
    administration_record,
    administration_timing,
    mar_locations,
)


def _who(row) -> str:
    return (
        row["administration__given_by__username"]
        or row["status_changed_by__username"]
        or ""
    )


def _amount(row) -> str:
    amount = row["administration__amount"]
    if amount is None:
        return ""
    return f"{amount.normalize():f} {row['administration__unit']}"


def _reason(row) -> str:
    return row["administration__timing_reason"] or row["reason"] or ""


class MedicationRecordReport(Report):
    """Per patient or unit and date range: every dose due, given or not, who gave
    it and when, with late doses and overrides marked."""

    slug = "medication-record"
    title = _("Medication administration record")
    description = _(
        "Every dose due per patient or unit and date range: given, held, refused or "
        "missed, by whom and when, with late and early doses and overrides."
    )

    def __init__(self):
        self.now = timezone.now()

    @property
    def columns(self):
        def timing(row):
            return administration_timing(row, self.now)

        return [
            Column(_("Due"), lambda r: r["due_at"]),
            Column(_("Unit"), lambda r: r["order__location__name"]),
            *patient_columns("order__patient__"),
            Column(
                _("Medication"),
                lambda r: (
                    r["order__medication__name"]
                    + (" (high-alert)" if r["order__medication__is_high_alert"] else "")
                ),
            ),
            Column(
                _("Ordered"),
                lambda r: (
                    f"{r['order__dose'].normalize():f} {r['order__dose_unit']} "
                    f"{r['order__route']}"
                ),
            ),
            Column(_("Outcome"), lambda r: timing(r)[0]),
            Column(_("Given at"), lambda r: r["administration__given_at"]),
            Column(_("Minutes from due"), lambda r: timing(r)[1]),
            Column(_("Amount given"), _amount),
            Column(_("By"), _who),
            Column(_("Witness"), lambda r: r["administration__witness__username"]),
            Column(_("Reason"), _reason),
            Column(
                _("Allergy override"), lambda r: r["order__allergy_override_reason"]
            ),
            Column(_("Dose"), lambda r: r["pk"]),
        ]

    def kind_choices(self):
        return RECORD_KINDS

    def locations(self):
        return mar_locations()

    def rows(self, filters: Filters):
        return administration_record(
            location=filters.location,
            kind=filters.kind,
            now=self.now,
            **filters.scope(),
        )


def medication_lines(since, until) -> list:
    """The weekly summary's lines: late doses, doses not given, overrides."""
    counts = administration_counts(start=since, end=until)
    url = reverse("clinic:report", args=["medication-record"])
    return [
        SummaryLine(
            "Doses given late this week", str(counts["late"]), url + "?kind=late"
        ),
        SummaryLine(
            "Doses not given (overdue or missed) this week",
            str(counts["missed"]),
            url + "?kind=missed",
        ),
        SummaryLine(
            "Medication overrides this week",
            str(counts["override"]),
            url + "?kind=override",
        ),
    ]
