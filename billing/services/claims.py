"""Claims: built from a visit's charges, scrubbed, corrected, voided, worked."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import alert_raise
from automations.events import publish
from billing.exceptions import BillingError
from billing.models import (
    BillingProvider,
    Charge,
    Claim,
    ClaimLine,
    ClaimNote,
)
from billing.scrubber import scrub
from clinic.copies import fields_of
from registration.selectors import coverage_primary, coverages_in_force

NO_BILLING_PROVIDER = "Set up the billing provider first (Billing › Set-up)."
NO_CHARGES = "The visit has no charges to bill."
NO_COVERAGE = (
    "The patient has no active coverage on the date of service: bill the patient."
)
ALREADY_BILLED = "This visit already has a claim for that coverage."
NOT_EDITABLE = "Only a draft, ready or rejected claim can change."
HAS_ERRORS = "The scrubber found {n} problem(s); fix them before the claim is ready."
CANNOT_CORRECT = "Only a claim the payer has adjudicated can be corrected or voided."
NOT_COMPLETED = "Only a completed visit can be billed."


def billing_provider_current() -> BillingProvider | None:
    return BillingProvider.objects.filter(is_active=True).order_by("id").first()


def _visit_lines(claim: Claim) -> list[ClaimLine]:
    charges = claim.appointment.charges.exclude(status=Charge.Status.VOID).order_by(
        "id"
    )
    return [
        ClaimLine(
            claim=claim,
            line_number=number,
            charge=charge,
            service_date=charge.service_date,
            code=charge.code,
            modifiers=charge.modifiers,
            units=charge.units,
            charge_amount=charge.amount,
            diagnosis_pointers=charge.diagnosis_pointers,
        )
        for number, charge in enumerate(charges, start=1)
    ]


def _visit_diagnoses(appointment) -> str:
    return " ".join(d.code for d in appointment.diagnoses.order_by("position"))


def _write_lines(claim: Claim, lines: list[ClaimLine]) -> None:
    for old in claim.lines.all():
        old.delete()
    for line in lines:
        line.claim = claim
        line.save()
    claim.total_charge = sum((ln.charge_amount for ln in lines), Decimal("0.00"))


def _store_scrub(claim: Claim, lines=None) -> list[str]:
    claim.scrub_errors = scrub(claim, lines=lines)
    claim.scrubbed_at = timezone.now()
    return claim.scrub_errors


def claim_changed_save(claim: Claim, reason: str, *, lines=None) -> None:
    """A claim whose header, lines or diagnoses changed: back to draft when it was
    ready, scrubbed again (``lines``: already read), saved with ``reason``."""
    if claim.status == Claim.Status.READY:
        claim.status = Claim.Status.DRAFT
    _store_scrub(claim, lines)
    claim._change_reason = reason
    claim.save()


def claims_create_for_visit(*, appointment, actor) -> Claim:
    """One claim per visit and coverage: the primary's, built from the charges."""
    if appointment.status != "completed":
        raise BillingError(_(NOT_COMPLETED))
    provider = billing_provider_current()
    if provider is None:
        raise BillingError(_(NO_BILLING_PROVIDER))
    if not appointment.charges.exclude(status=Charge.Status.VOID).exists():
        raise BillingError(_(NO_CHARGES))
    service_date = timezone.localtime(appointment.start).date()
    coverage = coverage_primary(patient=appointment.patient, on=service_date)
    if coverage is None:
        raise BillingError(_(NO_COVERAGE))
    with transaction.atomic():
        if Claim.objects.filter(
            appointment=appointment, coverage=coverage, frequency_code="1"
        ).exists():
            raise BillingError(_(ALREADY_BILLED))
        claim = Claim(
            claim_number=f"V{appointment.pk}-{coverage.priority}",
            appointment=appointment,
            patient=appointment.patient,
            coverage=coverage,
            payer=coverage.payer,
            billing_provider=provider,
            rendering_provider=appointment.provider,
            sequence=Claim.Sequence.PRIMARY,
            place_of_service=provider.place_of_service,
            service_date=service_date,
            diagnosis_codes=_visit_diagnoses(appointment),
        )
        claim.save()
        lines = _visit_lines(claim)
        _write_lines(claim, lines)
        for line in lines:
            charge = line.charge
            charge.status = Charge.Status.BILLED
            charge._change_reason = f"Billed on claim {claim.claim_number}"
            charge.save()
        _store_scrub(claim)
        claim._change_reason = "Created from the visit's charges"
        claim.save()
        publish("claim.created", subject=claim, actor=actor)
    return claim


def claim_require_editable(claim: Claim) -> None:
    """A claim changes only in one of ``Claim.EDITABLE_STATUSES``."""
    if not claim.is_editable:
        raise BillingError(_(NOT_EDITABLE))


# What a copied line (a replacement's, a secondary's) keeps of the line it copies,
# and what a replacement claim keeps of the claim it replaces.
LINE_COPIED = (
    "line_number charge service_date code modifiers units charge_amount "
    "diagnosis_pointers"
)
CLAIM_COPIED = (
    "appointment patient coverage payer billing_provider rendering_provider "
    "sequence primary_claim place_of_service service_date diagnosis_codes"
)


def _line_copy(line: ClaimLine, *, prior_paid, prior_adjustments) -> ClaimLine:
    """A line of another claim (a replacement, a secondary) for a new claim, with
    what earlier payers paid and adjusted on it."""
    return ClaimLine(
        **fields_of(line, LINE_COPIED),
        prior_paid=prior_paid,
        prior_adjustments=prior_adjustments,
    )


def claim_rebuild(*, claim: Claim, actor) -> Claim:
    """An editable claim follows its visit's charges and diagnoses."""
    claim_require_editable(claim)
    with transaction.atomic():
        if claim.primary_claim_id is None:
            lines = _visit_lines(claim)
            _write_lines(claim, lines)
            for line in lines:
                if line.charge.status != Charge.Status.BILLED:
                    line.charge.status = Charge.Status.BILLED
                    line.charge.save()
        claim.diagnosis_codes = _visit_diagnoses(claim.appointment)
        claim_changed_save(claim, "Charges or diagnoses changed")
    return claim


def claim_scrub(*, claim: Claim) -> list[str]:
    with transaction.atomic():
        errors = _store_scrub(claim)
        claim.save()
    return errors


def claim_mark_ready(*, claim: Claim, actor) -> Claim:
    """A claim becomes ready only when the scrubber finds nothing."""
    claim_require_editable(claim)
    with transaction.atomic():
        errors = _store_scrub(claim)
        if errors:
            claim.status = Claim.Status.DRAFT
            claim.save()
        else:
            claim.status = Claim.Status.READY
            claim.status_reason = ""
            claim._change_reason = "Passed the scrubber"
            claim.save()
    if errors:
        raise BillingError(_(HAS_ERRORS).format(n=len(errors)))
    return claim


def _next_claim_number(original: Claim, letter: str) -> str:
    base = original.claim_number.split("R")[0].split("X")[0]
    count = Claim.objects.filter(Q(claim_number__startswith=f"{base}{letter}")).count()
    return f"{base}{letter}{count + 1}"


def _replacement(claim: Claim, frequency: str, actor, reason: str) -> Claim:
    if claim.status not in ("accepted", "paid", "partially_paid", "denied"):
        raise BillingError(_(CANNOT_CORRECT))
    with transaction.atomic():
        letter = "R" if frequency == Claim.Frequency.CORRECTED else "X"
        new = Claim(
            **fields_of(claim, CLAIM_COPIED),
            claim_number=_next_claim_number(claim, letter),
            frequency_code=frequency,
            original_claim=claim,
            payer_claim_number=claim.payer_claim_number or claim.claim_number,
        )
        new._change_reason = reason
        new.save()
        lines = [
            _line_copy(
                line,
                prior_paid=line.prior_paid,
                prior_adjustments=line.prior_adjustments,
            )
            for line in claim.lines.all()
        ]
        _write_lines(new, lines)
        _store_scrub(new)
        if frequency == Claim.Frequency.VOID and not new.scrub_errors:
            new.status = Claim.Status.READY
        new.save()
        claim.status = Claim.Status.CLOSED
        claim.status_reason = (
            _("Replaced by %(n)s") if letter == "R" else _("Voided by %(n)s")
        ) % {"n": new.claim_number}
        claim._change_reason = reason
        claim.save()
    return new


def claim_correct(*, claim: Claim, actor, reason: str = "") -> Claim:
    """A corrected claim (frequency 7) replaces the payer's original; it starts as
    a draft to edit."""
    return _replacement(
        claim, Claim.Frequency.CORRECTED, actor, reason or "Corrected claim"
    )


def claim_void(*, claim: Claim, actor, reason: str) -> Claim:
    """A void (frequency 8) tells the payer to cancel its original claim."""
    return _replacement(claim, Claim.Frequency.VOID, actor, reason or "Void")


def claim_locked_for_change(claim_id: int) -> Claim:
    """The claim, locked until the transaction ends, if it may still change (a
    submission running at the same time either waits or skips it)."""
    claim = Claim.objects.select_for_update().get(pk=claim_id)
    claim_require_editable(claim)
    return claim


def claim_update(*, claim: Claim, actor, **fields) -> Claim:
    """Header fields billing may change on an editable claim."""
    claim_require_editable(claim)
    for name, value in fields.items():
        setattr(claim, name, value)
    claim.full_clean(exclude=["scrub_errors"])
    with transaction.atomic():
        claim_changed_save(claim, "Edited by billing")
    return claim


def claim_close(*, claim: Claim, actor, reason: str) -> Claim:
    if claim.status in ("closed",):
        return claim
    with transaction.atomic():
        claim.status = Claim.Status.CLOSED
        claim.status_reason = reason[:300]
        claim._change_reason = reason or "Closed"
        claim.save()
    return claim


def claim_assign(*, claim: Claim, user, actor) -> Claim:
    with transaction.atomic():
        claim.assigned_to = user
        claim._change_reason = "Assigned"
        claim.save()
    return claim


def claim_note_add(*, claim: Claim, text: str, actor) -> ClaimNote:
    note = ClaimNote(claim=claim, author=actor, text=text.strip())
    note.full_clean()
    note.save()
    return note


def secondary_claim_create(*, primary: Claim, actor=None) -> Claim | None:
    """After the primary pays, the next coverage gets a claim with the primary's
    payment per line (loops 2320/2430)."""
    coverages = coverages_in_force(patient=primary.patient, on=primary.service_date)
    later = [c for c in coverages if c.priority > primary.coverage.priority]
    if not later:
        return None
    coverage = later[0]
    if Claim.objects.filter(
        appointment=primary.appointment, coverage=coverage, frequency_code="1"
    ).exists():
        return None
    sequence = "S" if coverage.priority == 2 else "T"
    with transaction.atomic():
        claim = Claim(
            claim_number=f"V{primary.appointment_id}-{coverage.priority}",
            appointment_id=primary.appointment_id,
            patient_id=primary.patient_id,
            coverage=coverage,
            payer=coverage.payer,
            billing_provider_id=primary.billing_provider_id,
            rendering_provider_id=primary.rendering_provider_id,
            sequence=sequence,
            primary_claim=primary,
            place_of_service=primary.place_of_service,
            service_date=primary.service_date,
            diagnosis_codes=primary.diagnosis_codes,
        )
        claim.save()
        paid_by_line: dict[int, tuple[Decimal, list]] = {}
        for payment in primary.payments.filter(is_reversal=False).order_by("id"):
            for posted in payment.line_items:
                if posted["claim_line"]:
                    paid_by_line[posted["claim_line"]] = (
                        posted["paid"],
                        posted["adjustments"],
                    )
        lines = []
        for line in primary.lines.all():
            paid, adjustments = paid_by_line.get(line.pk, (Decimal("0.00"), []))
            lines.append(
                _line_copy(line, prior_paid=paid, prior_adjustments=adjustments)
            )
        _write_lines(claim, lines)
        _store_scrub(claim)
        claim._change_reason = f"Secondary after {primary.claim_number}"
        claim.save()
    return claim


def claim_sent_back(claim: Claim, *, outcome: str, title: str, reason: str, key: str):
    """A claim the clearinghouse rejected or the payer denied (``outcome``): a task
    for billing (one per ``key``) and the "claim.<outcome>" event for automations."""
    alert_raise(
        kind=f"claim_{outcome}",
        title=title,
        message=reason,
        patient=claim.patient,
        subject=claim,
        role="Billing",
        key=key,
    )
    publish(
        f"claim.{outcome}",
        subject=claim,
        facts={"payer": str(claim.payer_id), "reason": reason[:300]},
    )
