"""Posting an 835: payments and adjustments per line, denials, reversals."""

from collections.abc import Callable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from automations.events import publish
from billing.carc import describe
from billing.exceptions import RemittanceRefused
from billing.models import Claim, ClaimLine, ClaimPayment, Remittance
from billing.services.claims import claim_sent_back, secondary_claim_create
from billing.x12.reader_835 import ClaimRemit, parse_835, trace_of
from clinic.history import rows_save, server_side_binding
from clinic.x12.reader import X12Error

DUPLICATE = (
    "This 835 (trace number {trace}) was already imported on {when}: nothing was "
    "posted again."
)
UNREADABLE = "The 835 could not be read, nothing was posted: {error}"
NUL_REFUSED = (
    "The file holds a NUL character (byte 0), which an X12 file never carries: "
    "it is damaged or not an 835. Nothing was posted."
)
# The start of the history reason of a claim posted from an 835 (read by the
# pain-point dashboard to find each adjudication as it was posted).
POSTED_FROM_835 = "Posted from 835"
PROGRESS_EVERY = 1000
ZERO = Decimal("0.00")


def _is_expected(adjustment) -> bool:
    """Patient responsibility and the contractual write-down to the fee schedule
    (CO-45) are what a fully paid claim carries; anything else is a reduction."""
    return adjustment.group == "PR" or (
        adjustment.group == "CO" and adjustment.reason == "45"
    )


def _claim_status(remit: ClaimRemit) -> str:
    """Denied when the payer denied the claim or every line; partially paid when a
    line was denied or reduced beyond the contract; paid otherwise."""
    if remit.status_code == "4":
        return Claim.Status.DENIED
    denied_lines = [
        s
        for s in remit.services
        if s.paid == 0 and any(not _is_expected(a) for a in s.adjustments)
    ]
    if remit.services and len(denied_lines) == len(remit.services):
        return Claim.Status.DENIED
    if not remit.services and remit.paid == 0 and remit.patient_responsibility == 0:
        return Claim.Status.DENIED
    reduced = any(not _is_expected(a) for a in remit.all_adjustments())
    if denied_lines or reduced:
        return Claim.Status.PARTIALLY_PAID
    return Claim.Status.PAID


POSTED_FIELDS = [
    "paid_amount",
    "patient_responsibility",
    "adjustment_amount",
    "payer_claim_number",
    "status",
    "status_reason",
    "adjudicated_at",
]


def _claims_save_posted(claims: list[Claim], actor) -> None:
    """Write the posted amounts of many claims at once, each with its history row
    (a thousand ``save()`` calls would cost two thousand round trips)."""
    rows_save(claims, POSTED_FIELDS, default_user=actor)


def _match_line(service, lines_by_pk, lines_by_code):
    if service.control_number.isdigit():
        line = lines_by_pk.get(int(service.control_number))
        if line is not None:
            return line
    candidates = lines_by_code.get(service.code)
    return candidates.pop(0) if candidates else None


def _denial_alert(claim: Claim, reasons: str) -> None:
    claim_sent_back(
        claim,
        outcome="denied",
        title=_("Claim %(n)s denied by %(payer)s")
        % {"n": claim.claim_number, "payer": claim.payer.name},
        reason=reasons,
        key=f"claim-denied:{claim.pk}",
    )


def _duplicate(remit) -> RemittanceRefused | None:
    return _duplicate_of(remit.trace_number, remit.payer_identifier)


def remittance_upload_check(*, text: str) -> None:
    """What an uploaded 835 can be refused for at once, before it is queued: a
    NUL byte, or the trace number (read from the file's head) already posted."""
    if "\x00" in text:
        raise RemittanceRefused(NUL_REFUSED)
    trace = trace_of(text)
    if trace is not None:
        refused = _duplicate_of(*trace)
        if refused is not None:
            raise refused


def _duplicate_of(trace_number: str, payer_identifier: str):
    previous = Remittance.objects.filter(
        trace_number=trace_number, payer_identifier=payer_identifier
    ).first()
    if previous is None:
        return None
    return RemittanceRefused(
        DUPLICATE.format(
            trace=trace_number,
            when=timezone.localtime(previous.imported_at).strftime("%Y-%m-%d %H:%M"),
        )
    )


def _remittance_create(remit, text, file_name, claims, actor, now) -> Remittance:
    return Remittance.objects.create(
        trace_number=remit.trace_number,
        payer_identifier=remit.payer_identifier,
        payer_name=remit.payer_name[:60],
        payment_amount=remit.payment_amount,
        payment_method=remit.payment_method[:3],
        payment_date=remit.payment_date,
        file_name=file_name[:200],
        content=text,
        claim_count=len(remit.claims),
        unmatched_count=sum(
            1 for c in remit.claims if c.patient_control_number not in claims
        ),
        imported_by=actor,
        imported_at=now,
    )


def remittance_import(
    *,
    text: str,
    file_name: str,
    actor=None,
    progress: Callable[[int, int], None] | None = None,
) -> Remittance:
    """Post an 835 whole or not at all; the same trace number is posted once.

    Claims the file names that the clinic does not know (CLP01) are kept as
    exceptions to work by hand. ``progress(claims done, claims)`` hears how far
    the posting is.
    """
    if "\x00" in text:
        raise RemittanceRefused(NUL_REFUSED)
    try:
        remit = parse_835(text)
    except X12Error as exc:
        raise RemittanceRefused(UNREADABLE.format(error=exc)) from None
    refused = _duplicate(remit)
    if refused is not None:
        raise refused
    total = len(remit.claims)
    if progress:
        progress(0, total)
    numbers = {c.patient_control_number for c in remit.claims}
    now = timezone.now()
    secondary_candidates = []
    posted: list[Claim] = []
    denied: list[tuple[Claim, str]] = []
    with transaction.atomic():
        claims = {
            c.claim_number: c
            for c in Claim.objects.select_for_update().filter(claim_number__in=numbers)
        }
        line_rows_of: dict[int, list[tuple[int, str]]] = {}
        for line_id, claim_id, code in (
            ClaimLine.objects.filter(claim__in=[c.pk for c in claims.values()])
            .order_by("claim_id", "line_number")
            .values_list("id", "claim_id", "code")
        ):
            line_rows_of.setdefault(claim_id, []).append((line_id, code))
        try:
            with transaction.atomic():
                remittance = _remittance_create(
                    remit, text, file_name, claims, actor, now
                )
        except IntegrityError:  # the same trace number, posted meanwhile
            raise _duplicate(remit) or RemittanceRefused(
                DUPLICATE.format(trace=remit.trace_number, when="just now")
            ) from None
        payments = []
        for done, item in enumerate(remit.claims, start=1):
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, total)
            claim = claims.get(item.patient_control_number)
            adjustments = item.all_adjustments()
            non_patient = sum((a.amount for a in adjustments if a.group != "PR"), ZERO)
            rows = []
            if claim is not None:
                lines = line_rows_of.get(claim.pk, [])
                by_pk = {line_id: line_id for line_id, _code in lines}
                by_code: dict[str, list] = {}
                for line_id, code in lines:
                    by_code.setdefault(code, []).append(line_id)
            for service in item.services:
                rows.append(
                    [
                        _match_line(service, by_pk, by_code) if claim else None,
                        service.code[:5],
                        str(service.charge),
                        str(service.paid),
                        str(service.units),
                        [a.as_row() for a in service.adjustments],
                    ]
                )
            payments.append(
                ClaimPayment(
                    remittance=remittance,
                    claim=claim,
                    patient_control_number=item.patient_control_number[:38],
                    status_code=item.status_code[:2],
                    charge_amount=item.charge,
                    paid_amount=item.paid,
                    patient_responsibility=item.patient_responsibility,
                    adjustment_amount=non_patient,
                    payer_claim_number=item.payer_claim_number[:50],
                    adjustments=[a.as_row() for a in item.adjustments],
                    lines=rows,
                    is_reversal=item.is_reversal,
                )
            )
            if claim is None:
                continue
            claim.paid_amount += item.paid
            claim.patient_responsibility += item.patient_responsibility
            claim.adjustment_amount += non_patient
            if item.payer_claim_number:
                claim.payer_claim_number = item.payer_claim_number[:50]
            if item.is_reversal:
                claim.status = Claim.Status.ACCEPTED
                claim.status_reason = _(
                    "Payment reversed by the payer (trace %(t)s)"
                ) % {"t": remit.trace_number}
                claim._change_reason = "Payment reversed (835)"
            else:
                claim.status = _claim_status(item)
                claim.adjudicated_at = now
                reasons = describe(
                    [a.as_dict() for a in adjustments if a.group != "PR"]
                )
                claim.status_reason = (
                    reasons[:300] if claim.status != Claim.Status.PAID else ""
                )
                claim._change_reason = f"{POSTED_FROM_835} {remit.trace_number}"
                if claim.status == Claim.Status.DENIED:
                    denied.append((claim, reasons))
                elif claim.sequence == Claim.Sequence.PRIMARY:
                    secondary_candidates.append(claim)
            posted.append(claim)
        with server_side_binding():
            _claims_save_posted(posted, actor)
            bulk_create_with_history(
                payments, ClaimPayment, batch_size=2000, default_user=actor
            )
        for claim, reasons in denied:
            _denial_alert(claim, reasons)
        if secondary_candidates:
            has_secondary = set(
                Claim.objects.filter(
                    pk__in=[c.pk for c in secondary_candidates],
                    patient__coverages__priority__gt=1,
                    patient__coverages__is_active=True,
                ).values_list("pk", flat=True)
            )
            for claim in secondary_candidates:
                if claim.pk in has_secondary:
                    secondary_claim_create(primary=claim, actor=actor)
        publish(
            "remittance.posted",
            subject=remittance,
            actor=actor,
            facts={"claims_paid": sum(1 for p in payments if p.paid_amount > 0)},
        )
    return remittance


def exception_resolve(*, payment: ClaimPayment, actor) -> ClaimPayment:
    with transaction.atomic():
        payment.resolved = True
        payment._change_reason = "Exception worked by billing"
        payment.save()
    return payment
