"""Claim submissions and remittances: batches with their control numbers and
results, and every payment posted; read through the billing selectors."""

from django.utils.translation import gettext_lazy as _

from billing.submission_log import SUBMISSION_KINDS, submissions_and_remittances
from clinic.reports.base import Column, Filters, Report

# Claim status codes (835 CLP02) in words.
CLP02 = {
    "1": "processed as primary",
    "2": "processed as secondary",
    "3": "processed as tertiary",
    "4": "denied",
    "19": "processed as primary, forwarded",
    "20": "processed as secondary, forwarded",
    "21": "processed as tertiary, forwarded",
    "22": "reversal of previous payment",
    "23": "not our claim, forwarded",
    "25": "predetermination pricing only",
}


def _result(row) -> str:
    if row["event"] == "remittance":
        code = row["result"]
        return f"{code} {CLP02.get(code, '')}".strip()
    return row["result"]


def _money(value) -> str:
    return "" if value is None else f"{value:.2f}"


class ClaimSubmissionsReport(Report):
    slug = "claim-submissions"
    title = _("Claim submissions and remittances")
    description = _(
        "Every claim sent in a batch with its control numbers and the batch's "
        "result, and every payment line of every remittance (835) posted."
    )
    columns = [
        Column(_("When"), lambda r: r["at"]),
        Column(_("Event"), lambda r: r["event"]),
        Column(_("Batch file / 835 trace"), lambda r: r["reference"]),
        Column(_("ISA13"), lambda r: r["isa"]),
        Column(_("GS06"), lambda r: r["gs"]),
        Column(_("Result"), _result),
        Column(_("Detail"), lambda r: (r["detail"] or "").strip()),
        Column(_("Claim"), lambda r: r["claim_ref"]),
        Column(_("MRN"), lambda r: r["mrn"]),
        Column(_("Payer"), lambda r: r["payer_label"]),
        Column(_("Date of service"), lambda r: r["service"]),
        Column(_("Claim status now"), lambda r: r["claim_status"]),
        Column(_("Charged"), lambda r: _money(r["charged"])),
        Column(_("Paid"), lambda r: _money(r["paid"])),
        Column(_("Row"), lambda r: f"{r['event']}-{r['row_id']}"),
    ]

    def kind_choices(self):
        return SUBMISSION_KINDS

    def rows(self, filters: Filters):
        return submissions_and_remittances(kind=filters.kind, **filters.scope())
