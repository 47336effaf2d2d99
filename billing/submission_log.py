"""Claim submissions and remittances, one row per claim sent or payment posted, for
the compliance reports (clinic/reports/claim_submissions.py)."""

from django.db.models import (
    CharField,
    DecimalField,
    F,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.translation import gettext_lazy as _

from billing.models import (
    Claim,
    ClaimPayment,
)
from clinic.record_filters import filter_record

SUBMISSION_KINDS = [
    ("submission", _("Claims submitted (batches)")),
    ("remittance", _("Payments posted (835)")),
    ("rejected", _("Batches rejected or not sent")),
    ("denied", _("Claims denied (CLP02 4)")),
    ("unmatched", _("Payments matching no claim")),
]

SUBMISSION_COLUMNS = (
    "at",
    "event",
    "reference",
    "isa",
    "gs",
    "result",
    "detail",
    "claim_ref",
    "mrn",
    "payer_label",
    "service",
    "claim_status",
    "charged",
    "paid",
    "row_id",
)


def submissions_and_remittances(
    *, start=None, end=None, patient=None, username: str = "", kind: str = ""
):
    """Every claim sent in a batch (control numbers, the batch's 999 result) and
    every payment line of every 835 posted, oldest first, one dict per row
    (SUBMISSION_COLUMNS). ``username``: who made the batch or imported the 835."""
    text = CharField()
    money = DecimalField(max_digits=12, decimal_places=2)
    submitted = Claim.objects.filter(batch__isnull=False).annotate(
        at=Coalesce("batch__transmitted_at", "batch__created_at"),
        event=Value("submission", output_field=text),
        reference=F("batch__file_name"),
        isa=Cast("batch__isa_control_number", text),
        gs=Cast("batch__gs_control_number", text),
        result=F("batch__status"),
        detail=Concat(
            "batch__ack_detail", Value(" "), "batch__last_error", output_field=text
        ),
        claim_ref=F("claim_number"),
        mrn=F("patient__mrn"),
        payer_label=F("payer__name"),
        service=F("service_date"),
        claim_status=F("status"),
        charged=F("total_charge"),
        paid=Value(None, output_field=money),
        row_id=F("id"),
    )
    posted = ClaimPayment.objects.annotate(
        at=F("remittance__imported_at"),
        event=Value("remittance", output_field=text),
        reference=F("remittance__trace_number"),
        isa=Value("", output_field=text),
        gs=Value("", output_field=text),
        result=F("status_code"),
        detail=F("payer_claim_number"),
        claim_ref=Coalesce("claim__claim_number", "patient_control_number"),
        mrn=F("claim__patient__mrn"),
        payer_label=Coalesce("claim__payer__name", "remittance__payer_name"),
        service=F("claim__service_date"),
        claim_status=F("claim__status"),
        charged=F("charge_amount"),
        paid=F("paid_amount"),
        row_id=F("id"),
    )
    scope = {"start": start, "end": end, "patient": patient, "username": username}
    submitted = filter_record(
        submitted, at="at", user_fields=("batch__created_by__username",), **scope
    )
    posted = filter_record(
        posted,
        at="remittance__imported_at",
        patient_field="claim__patient",
        user_fields=("remittance__imported_by__username",),
        **scope,
    )
    if kind == "submission":
        posted = posted.none()
    elif kind == "remittance":
        submitted = submitted.none()
    elif kind == "rejected":
        submitted = submitted.filter(batch__status__in=["rejected", "failed"])
        posted = posted.none()
    elif kind == "denied":
        submitted, posted = submitted.none(), posted.filter(status_code="4")
    elif kind == "unmatched":
        submitted, posted = submitted.none(), posted.filter(claim__isnull=True)
    # No ORDER BY inside the parts of a UNION (SQLite refuses it).
    union = (
        submitted.order_by()
        .values(*SUBMISSION_COLUMNS)
        .union(posted.order_by().values(*SUBMISSION_COLUMNS), all=True)
    )
    return union.order_by("at", "event", "row_id")
