"""Reads shared by billing's pages, exports and the dashboard."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.carc import describe, reason_words
from billing.models import (
    Charge,
    Claim,
    ClaimLine,
    ClaimPayment,
    FeeScheduleEntry,
    Remittance,
    SubmissionBatch,
)
from registration.selectors import patient_mrn_q
from scheduling.models import Appointment

NOT_ON_FEE_SCHEDULE = (
    "{code} is not on the clinic's fee schedule. An administrator adds it (code, "
    "description and price) under Admin › Billing › Fee schedule entries "
    "({url}); then enter it here again."
)
QUEUES = {
    "errors": "Scrubber errors",
    "rejected": "Rejected",
    "denied": "Denied",
    "unpaid": "Unpaid after {days} days",
}


def fee_for(*, code: str, modifiers: str = "") -> tuple[Decimal, str]:
    """The fee schedule's price and description for a code and its modifiers (the
    code's plain entry when that pair has none); no entry: (0.00, "")."""
    entry = (
        FeeScheduleEntry.objects.filter(code=code, modifiers=modifiers, is_active=True)
        .only("price", "description")
        .first()
    )
    if entry is None and modifiers:
        entry = FeeScheduleEntry.objects.filter(code=code, modifiers="").first()
    if entry is None:
        return Decimal("0.00"), ""
    return entry.price, entry.description


def fee_schedule_codes() -> list[tuple[str, str]]:
    """(code, description) of each code the fee schedule lists, for the code
    inputs' suggestions."""
    entries = (
        FeeScheduleEntry.objects.filter(is_active=True)
        .order_by("code", "modifiers")
        .values_list("code", "description")
    )
    codes: dict[str, str] = {}
    for code, description in entries:
        codes.setdefault(code, description)  # the plain entry, before modifiers
    return list(codes.items())


def fee_schedule_refusal(*, code: str) -> str:
    """Why a CPT/HCPCS code cannot be charged: only codes the clinic's fee schedule
    lists (active) are; "" when it may be."""
    if FeeScheduleEntry.objects.filter(code=code, is_active=True).exists():
        return ""
    url = reverse("admin:billing_feescheduleentry_changelist")
    return _(NOT_ON_FEE_SCHEDULE).format(code=code or '""', url=url)


def claims_ready_to_submit():
    """The claims the next batch would carry, as the review before sending shows
    them (patient, payer, total, scrub)."""
    return (
        Claim.objects.filter(status=Claim.Status.READY)
        .select_related("patient", "payer")
        .order_by("id")
    )


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
            | patient_mrn_q(mrn=query, path="patient__mrn")
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
            patient_mrn_q(mrn=q, path="patient__mrn")
            | Q(patient__family_name__istartswith=q)
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
