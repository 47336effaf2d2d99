"""Reads shared by billing's pages, exports and the dashboard."""

from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.carc import describe, reason_words
from billing.models import (
    Charge,
    Claim,
    ClaimLine,
    ClaimPayment,
    Remittance,
    SubmissionBatch,
)
from scheduling.models import Appointment

QUEUES = {
    "errors": "Scrubber errors",
    "rejected": "Rejected",
    "denied": "Denied",
    "unpaid": "Unpaid after {days} days",
}


def claim_list(*, query: str = "", status: str = "", payer_id=None):
    claims = Claim.objects.select_related("patient", "payer", "assigned_to").order_by(
        "-service_date", "-id"
    )
    if status:
        claims = claims.filter(status=status)
    if payer_id:
        claims = claims.filter(payer_id=payer_id)
    query = query.strip()
    if query:
        claims = claims.filter(
            Q(claim_number__icontains=query)
            | Q(patient__mrn=query)
            | Q(patient__family_name__istartswith=query)
            | Q(payer_claim_number=query)
        )
    return claims


def claim_detail(*, pk: int) -> Claim:
    return (
        Claim.objects.select_related(
            "patient",
            "coverage",
            "payer",
            "billing_provider",
            "rendering_provider",
            "appointment__appointment_type",
            "batch",
            "assigned_to",
            "primary_claim",
            "original_claim",
        )
        .prefetch_related(
            Prefetch("lines", queryset=ClaimLine.objects.order_by("line_number")),
            Prefetch(
                "payments",
                queryset=ClaimPayment.objects.select_related("remittance"),
            ),
            "notes__author",
        )
        .get(pk=pk)
    )


def visits_to_bill(*, query: str = ""):
    """Completed visits with charges still to review (no claim yet)."""
    has_draft = Charge.objects.filter(
        appointment=OuterRef("pk"), status=Charge.Status.DRAFT
    )
    visits = (
        Appointment.objects.filter(status="completed")
        .filter(Exists(has_draft))
        .select_related("patient", "provider", "appointment_type")
        .annotate(charge_count=Count("charges"))
        .order_by("-start")
    )
    if query.strip():
        q = query.strip()
        visits = visits.filter(
            Q(patient__mrn=q) | Q(patient__family_name__istartswith=q)
        )
    return visits


def visit_for_billing(*, pk: int) -> Appointment:
    return (
        Appointment.objects.select_related(
            "patient", "provider", "appointment_type", "location"
        )
        .prefetch_related(
            Prefetch(
                "charges",
                queryset=Charge.objects.exclude(status=Charge.Status.VOID).order_by(
                    "id"
                ),
            ),
            "diagnoses",
            Prefetch("claims", queryset=Claim.objects.select_related("payer")),
        )
        .get(pk=pk)
    )


def work_queue(*, queue: str, now=None, assigned_to=None):
    now = now or timezone.now()
    claims = Claim.objects.select_related("patient", "payer", "assigned_to")
    if queue == "errors":
        claims = claims.filter(status="draft").exclude(scrub_errors=[])
    elif queue == "rejected":
        claims = claims.filter(status="rejected")
    elif queue == "denied":
        claims = claims.filter(status__in=["denied", "partially_paid"]).exclude(
            status_reason=""
        )
    elif queue == "unpaid":
        cutoff = now - timedelta(days=settings.BILLING_UNPAID_DAYS)
        claims = claims.filter(
            status__in=["submitted", "accepted"], submitted_at__lt=cutoff
        )
    else:
        return Claim.objects.none()
    if assigned_to is not None:
        claims = claims.filter(assigned_to=assigned_to)
    return claims.order_by("service_date", "id")


def work_queue_counts(*, now=None) -> dict[str, int]:
    return {name: work_queue(queue=name, now=now).count() for name in QUEUES}


def batches():
    return SubmissionBatch.objects.select_related("created_by").order_by("-id")


def batch_claims(*, batch):
    return batch.claims.select_related("patient", "payer").order_by("id")


def remittances():
    return Remittance.objects.select_related("imported_by").order_by("-id")


def remittance_payments(*, remittance):
    return remittance.claim_payments.select_related("claim__patient").order_by("id")


def remittance_exceptions(*, include_resolved: bool = False):
    payments = ClaimPayment.objects.filter(claim__isnull=True).select_related(
        "remittance"
    )
    if not include_resolved:
        payments = payments.filter(resolved=False)
    return payments.order_by("-id")


def patient_claims(*, patient, limit: int = 10):
    return list(
        Claim.objects.filter(patient=patient)
        .select_related("payer")
        .order_by("-service_date", "-id")[:limit]
    )


def denial_words(claim: Claim) -> str:
    adjustments = []
    for payment in claim.payments.all():
        adjustments += payment.adjustment_items
        for line in payment.line_items:
            adjustments += [a for a in line["adjustments"] if a["group"] != "PR"]
    return describe(adjustments) or claim.status_reason


# --- Reports ----------------------------------------------------------------------


def collections_by_month(*, months: int = 12) -> list[dict]:
    rows = (
        ClaimPayment.objects.filter(claim__isnull=False)
        .annotate(month=TruncMonth("remittance__payment_date"))
        .values("month")
        .annotate(paid=Sum("paid_amount"), patient=Sum("patient_responsibility"))
        .order_by("-month")[:months]
    )
    return [r for r in rows if r["month"] is not None]


def denial_rates() -> dict:
    """Adjudicated claims by payer: how many denied; denials by reason."""
    adjudicated = ["paid", "partially_paid", "denied"]
    by_payer = list(
        Claim.objects.filter(status__in=adjudicated)
        .values("payer__name")
        .annotate(
            adjudicated=Count("id"),
            denied=Count("id", filter=Q(status="denied")),
        )
        .order_by("payer__name")
    )
    for row in by_payer:
        row["rate"] = round(100 * row["denied"] / row["adjudicated"], 1)
    reasons: dict[str, int] = {}
    denied = ClaimPayment.objects.filter(
        claim__status="denied", is_reversal=False
    ).only("adjustments", "lines")
    for payment in denied:
        adjustments = payment.adjustment_items
        for line in payment.line_items:
            adjustments += line["adjustments"]
        for adj in adjustments:
            if adj["group"] != "PR":
                key = f"{adj['group']}-{adj['reason']}"
                reasons[key] = reasons.get(key, 0) + 1
    reason_rows = [
        {"code": code, "words": reason_words(code.split("-")[1]), "count": n}
        for code, n in sorted(reasons.items(), key=lambda item: -item[1])
    ]
    return {"by_payer": by_payer, "reasons": reason_rows}


# --- Claim submissions and remittances for compliance reports -------------------

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
    if start is not None:
        submitted = submitted.filter(at__gte=start)
        posted = posted.filter(remittance__imported_at__gte=start)
    if end is not None:
        submitted = submitted.filter(at__lt=end)
        posted = posted.filter(remittance__imported_at__lt=end)
    if patient is not None:
        submitted = submitted.filter(patient=patient)
        posted = posted.filter(claim__patient=patient)
    if username:
        submitted = submitted.filter(batch__created_by__username=username)
        posted = posted.filter(remittance__imported_by__username=username)
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


# --- The 837P writer's input, without model instances ----------------------------


class Rows(list):
    """A list that answers ``.all()`` like the related manager it stands in for."""

    def all(self):
        return self


class Row(SimpleNamespace):
    pass


_PATIENT_FIELDS = [
    "id", "family_name", "given_name", "middle_name", "name_suffix", "birth_date",
    "sex_at_birth", "address_line1", "address_line2", "city", "state", "postal_code",
]  # fmt: skip
_COVERAGE_FIELDS = [
    "id", "relationship", "group_number", "member_id", "subscriber_given_name",
    "subscriber_family_name", "subscriber_birth_date", "subscriber_sex",
]  # fmt: skip
_CLAIM_FIELDS = [
    "id", "claim_number", "patient_id", "coverage_id", "payer_id",
    "billing_provider_id", "rendering_provider_id", "primary_claim_id", "sequence",
    "frequency_code",
    "payer_claim_number", "place_of_service", "diagnosis_codes", "total_charge",
    "paid_amount", "adjudicated_at", "created_at",
]  # fmt: skip


def _by_id(queryset, fields) -> dict[int, Row]:
    return {row["id"]: Row(**row) for row in queryset.values(*fields)}


def claim_rows_for_837(claims_queryset) -> list[Row]:
    """What the 837P writer reads for the claims of ``claims_queryset`` (a batch's),
    as plain rows: eight queries whatever the number of claims, shared patients and
    payers read once."""
    from billing.models import BillingProvider
    from registration.models import Coverage, Patient, Payer
    from scheduling.models import Provider

    claims = [
        Row(**row) for row in claims_queryset.order_by("id").values(*_CLAIM_FIELDS)
    ]
    primary_ids = {c.primary_claim_id for c in claims if c.primary_claim_id}
    primaries = {
        row["id"]: Row(**row)
        for row in Claim.objects.filter(pk__in=primary_ids).values(*_CLAIM_FIELDS)
    }
    everything = claims + list(primaries.values())
    patients = _by_id(
        Patient.objects.filter(pk__in={c.patient_id for c in claims}), _PATIENT_FIELDS
    )
    coverages = _by_id(
        Coverage.objects.filter(pk__in={c.coverage_id for c in everything}),
        _COVERAGE_FIELDS,
    )
    payers = _by_id(
        Payer.objects.filter(pk__in={c.payer_id for c in everything}),
        ["id", "name", "payer_id", "claim_filing_indicator"],
    )
    billing = {
        b.pk: b
        for b in BillingProvider.objects.filter(
            pk__in={c.billing_provider_id for c in claims}
        )
    }
    rendering = _by_id(
        Provider.objects.filter(pk__in={c.rendering_provider_id for c in claims}),
        ["id", "name", "npi", "taxonomy_code"],
    )
    lines: dict[int, Rows] = {}
    for row in (
        ClaimLine.objects.filter(claim__in=claims_queryset.values("pk"))
        .order_by("claim_id", "line_number")
        .values(
            "id",
            "claim_id",
            "code",
            "modifiers",
            "units",
            "charge_amount",
            "diagnosis_pointers",
            "service_date",
            "prior_paid",
            "prior_adjustments",
        )  # fmt: skip
    ):
        line = Row(**row)
        line.pk = line.id
        line.modifier_list = line.modifiers.split()
        line.pointer_list = line.diagnosis_pointers.split()
        lines.setdefault(line.claim_id, Rows()).append(line)
    for claim in everything:
        claim.coverage = coverages[claim.coverage_id]
        claim.payer = payers[claim.payer_id]
    for claim in claims:
        claim.pk = claim.id
        claim.patient = patients[claim.patient_id]
        claim.billing_provider = billing[claim.billing_provider_id]
        claim.rendering_provider = rendering[claim.rendering_provider_id]
        claim.primary_claim = primaries.get(claim.primary_claim_id)
        claim.diagnosis_list = claim.diagnosis_codes.split()
        claim.lines = lines.get(claim.id, Rows())
    return claims
