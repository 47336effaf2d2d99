"""Posting an 835: payments and adjustments per line, denials, reversals."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from billing.carc import describe
from billing.exceptions import RemittanceRefused
from billing.models import Claim, ClaimLine, ClaimPayment, LinePayment, Remittance
from billing.x12.reader_835 import ClaimRemit, parse_835
from billing.x12.segments import X12Error

DUPLICATE = (
    "This 835 (trace number {trace}) was already imported on {when}: nothing was "
    "posted again."
)
UNREADABLE = "The 835 could not be read, nothing was posted: {error}"
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


def _match_line(service, lines_by_pk, lines_by_code):
    if service.control_number.isdigit():
        line = lines_by_pk.get(int(service.control_number))
        if line is not None:
            return line
    candidates = lines_by_code.get(service.code)
    return candidates.pop(0) if candidates else None


def _denial_alert(claim: Claim, reasons: str) -> None:
    from alerts.services import alert_raise

    alert_raise(
        kind="claim_denied",
        title=_("Claim %(n)s denied by %(payer)s")
        % {"n": claim.claim_number, "payer": claim.payer.name},
        message=reasons,
        patient=claim.patient,
        subject=claim,
        role="Billing",
        key=f"claim-denied:{claim.pk}",
    )


def remittance_import(*, text: str, file_name: str, actor=None) -> Remittance:
    """Post an 835 whole or not at all; the same trace number is posted once.

    Claims the file names that the clinic does not know (CLP01) are kept as
    exceptions to work by hand.
    """
    try:
        remit = parse_835(text)
    except X12Error as exc:
        raise RemittanceRefused(UNREADABLE.format(error=exc)) from None
    previous = Remittance.objects.filter(
        trace_number=remit.trace_number, payer_identifier=remit.payer_identifier
    ).first()
    if previous is not None:
        raise RemittanceRefused(
            DUPLICATE.format(
                trace=remit.trace_number,
                when=timezone.localtime(previous.imported_at).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            )
        )
    numbers = {c.patient_control_number for c in remit.claims}
    now = timezone.now()
    secondary_candidates = []
    with transaction.atomic():
        claims = {
            c.claim_number: c
            for c in Claim.objects.select_for_update(of=("self",))
            .filter(claim_number__in=numbers)
            .select_related("payer", "patient")
            .prefetch_related(
                Prefetch("lines", queryset=ClaimLine.objects.order_by("line_number"))
            )
        }
        remittance = Remittance.objects.create(
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
        payments = []
        line_rows: list[list[LinePayment]] = []
        for item in remit.claims:
            claim = claims.get(item.patient_control_number)
            adjustments = item.all_adjustments()
            non_patient = sum((a.amount for a in adjustments if a.group != "PR"), ZERO)
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
                    adjustments=[a.as_dict() for a in item.adjustments],
                    is_reversal=item.is_reversal,
                )
            )
            rows = []
            if claim is not None:
                lines = list(claim.lines.all())
                by_pk = {line.pk: line for line in lines}
                by_code: dict[str, list] = {}
                for line in lines:
                    by_code.setdefault(line.code, []).append(line)
            for service in item.services:
                line = _match_line(service, by_pk, by_code) if claim else None
                rows.append(
                    LinePayment(
                        claim_line=line,
                        code=service.code[:5],
                        charge_amount=service.charge,
                        paid_amount=service.paid,
                        units=service.units,
                        adjustments=[a.as_dict() for a in service.adjustments],
                        patient_responsibility=sum(
                            (a.amount for a in service.adjustments if a.group == "PR"),
                            ZERO,
                        ),
                        adjustment_amount=sum(
                            (a.amount for a in service.adjustments if a.group != "PR"),
                            ZERO,
                        ),
                    )
                )
            line_rows.append(rows)
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
                claim._change_reason = f"Posted from 835 {remit.trace_number}"
                if claim.status == Claim.Status.DENIED:
                    _denial_alert(claim, reasons)
                elif claim.sequence == Claim.Sequence.PRIMARY:
                    secondary_candidates.append(claim)
            claim.save()
        payments = bulk_create_with_history(
            payments, ClaimPayment, batch_size=2000, default_user=actor
        )
        flat = []
        for payment, rows in zip(payments, line_rows, strict=True):
            for row in rows:
                row.claim_payment = payment
                flat.append(row)
        bulk_create_with_history(flat, LinePayment, batch_size=2000, default_user=actor)
        if secondary_candidates:
            from billing.services.claims import secondary_claim_create

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
    return remittance


def exception_resolve(*, payment: ClaimPayment, actor) -> ClaimPayment:
    with transaction.atomic():
        payment.resolved = True
        payment._change_reason = "Exception worked by billing"
        payment.save()
    return payment
