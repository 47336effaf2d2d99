"""A claim's service lines, edited by billing: shape, pointers, total and scrub."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.exceptions import BillingError
from billing.models import Claim, ClaimLine
from billing.scrubber import scrub
from billing.selectors import fee_for
from billing.services.charges import check_on_fee_schedule
from billing.services.claims import claim_locked_for_change
from billing.validators import (
    MAX_DIAGNOSES,
    pointers_are_valid,
    validate_cpt_hcpcs,
    validate_modifiers,
)

LINE_FIELDS = ("code", "modifiers", "units", "charge_amount", "diagnosis_pointers")
MAX_LINES = 50
UNITS_POSITIVE = "The units must be more than zero."
CHARGE_POSITIVE = "The charge must be more than zero."
NO_DIAGNOSES_TO_POINT = (
    "The claim has no diagnoses for the line to point to: add them on the visit."
)
POINTERS_BEYOND = (
    "Diagnosis pointers are one to four numbers of the claim's {n} diagnoses "
    "(1 to {n}), separated by spaces."
)
NO_FEE = "The fee schedule has no price for {code}: enter the charge."
TOO_MANY_LINES = "A claim carries at most {n} service lines."
HAS_POSTINGS = (
    "Payments or adjustments are posted to this claim's lines: a line cannot be "
    "removed. Correct the line instead."
)
LINE_GONE = "This line is no longer on the claim: reload the claim."
LAST_LINE = (
    "A claim needs at least one service line: edit this one, or close the claim."
)


def claim_line_problems(line: ClaimLine, diagnosis_count: int) -> dict[str, list]:
    """What is wrong with a line's own fields, by field (code and modifier shapes,
    units and charge above zero, pointers naming one of ``diagnosis_count``
    diagnoses); the text fields are normalised on the way. The line form shows
    these beside its own checks, the services refuse them."""
    line.code = str(line.code or "").strip().upper()
    line.modifiers = " ".join(str(line.modifiers or "").upper().split())
    line.diagnosis_pointers = " ".join(str(line.diagnosis_pointers or "").split())
    errors: dict[str, list] = {}
    for name, validator in (
        ("code", validate_cpt_hcpcs),
        ("modifiers", validate_modifiers),
    ):
        try:
            validator(getattr(line, name))
        except ValidationError as exc:
            errors[name] = exc.messages
    if line.units is None or line.units <= 0:
        errors["units"] = [_(UNITS_POSITIVE)]
    if line.charge_amount is None or line.charge_amount <= 0:
        errors["charge_amount"] = [_(CHARGE_POSITIVE)]
    if not diagnosis_count:
        errors["diagnosis_pointers"] = [_(NO_DIAGNOSES_TO_POINT)]
    elif not pointers_are_valid(line.diagnosis_pointers, diagnosis_count):
        errors["diagnosis_pointers"] = [_(POINTERS_BEYOND).format(n=diagnosis_count)]
    return errors


def _clean_line(line: ClaimLine, claim: Claim) -> None:
    """A line's own shape, and pointers that name diagnoses the claim has."""
    errors = claim_line_problems(line, min(len(claim.diagnosis_list), MAX_DIAGNOSES))
    try:
        line.full_clean(exclude=["claim", "charge", *errors])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _line_save(line: ClaimLine, claim: Claim, verb: str) -> None:
    """A checked line saved, and its claim following it; the history says which
    line billing ``verb`` ("edited", "added")."""
    _clean_line(line, claim)
    reason = f"Line {line.line_number} {verb} by billing"
    line._change_reason = reason
    line.save()
    _lines_changed(claim, reason)


def _lines_changed(claim: Claim, reason: str) -> None:
    """The claim follows its lines: total, back to draft when it was ready, and a
    fresh scrub, recorded with the reason."""
    lines = list(ClaimLine.objects.filter(claim=claim).order_by("line_number"))
    claim.total_charge = sum((ln.charge_amount for ln in lines), Decimal("0.00"))
    if claim.status == Claim.Status.READY:
        claim.status = Claim.Status.DRAFT
    claim.scrub_errors = scrub(claim, lines=lines)
    claim.scrubbed_at = timezone.now()
    claim._change_reason = reason
    claim.save()


def claim_line_update(*, line: ClaimLine, actor, **fields) -> ClaimLine:
    """Lines of a corrected or secondary claim are edited on the claim itself; only
    a claim that has not gone out changes, and its total and scrub follow."""
    unknown = set(fields) - set(LINE_FIELDS)
    if unknown:
        raise ValueError(f"Not an editable line field: {sorted(unknown)}")
    with transaction.atomic():
        claim = claim_locked_for_change(line.claim_id)
        line = ClaimLine.objects.filter(pk=line.pk, claim=claim).first()
        if line is None:
            raise BillingError(_(LINE_GONE))
        line.claim = claim
        code = str(fields.get("code", line.code) or "").strip().upper()
        if code != line.code:
            check_on_fee_schedule(code)
        for name, value in fields.items():
            setattr(line, name, value)
        _line_save(line, claim, "edited")
    return line


def claim_line_add(
    *,
    claim: Claim,
    actor,
    code: str,
    modifiers: str = "",
    units: Decimal = Decimal("1"),
    charge_amount: Decimal | None = None,
    diagnosis_pointers: str = "1",
) -> ClaimLine:
    """A claim that has not gone out takes a new line at the end (at most 50);
    without a charge, the fee schedule's price times the units."""
    with transaction.atomic():
        claim = claim_locked_for_change(claim.pk)
        numbers = list(claim.lines.values_list("line_number", flat=True))
        if len(numbers) >= MAX_LINES:
            raise BillingError(_(TOO_MANY_LINES).format(n=MAX_LINES))
        code = str(code or "").strip().upper()
        check_on_fee_schedule(code)
        modifiers = " ".join(str(modifiers or "").upper().split())
        if charge_amount is None:
            price, _description = fee_for(code=code, modifiers=modifiers)
            if not price:
                raise ValidationError(
                    {"charge_amount": [_(NO_FEE).format(code=code or "?")]}
                )
            charge_amount = (price * (units or 0)).quantize(Decimal("0.01"))
        line = ClaimLine(
            claim=claim,
            line_number=max(numbers, default=0) + 1,
            service_date=claim.service_date,
            code=code,
            modifiers=modifiers,
            units=units,
            charge_amount=charge_amount,
            diagnosis_pointers=diagnosis_pointers,
        )
        _line_save(line, claim, "added")
    return line


def claim_line_remove(*, line: ClaimLine, actor, reason: str = "") -> Claim:
    """A line leaves a claim that has not gone out and has nothing posted to it;
    the lines after it move up one number and the last line stays."""
    with transaction.atomic():
        claim = claim_locked_for_change(line.claim_id)
        if claim.payments.exists():
            raise BillingError(_(HAS_POSTINGS))
        lines = list(claim.lines.order_by("line_number"))
        line = next((ln for ln in lines if ln.pk == line.pk), None)
        if line is None:
            raise BillingError(_(LINE_GONE))
        if len(lines) == 1:
            raise BillingError(_(LAST_LINE))
        number = line.line_number
        reason = reason.strip()
        why = f"Line {number} ({line.code}) removed by billing"
        if reason:
            why = f"{why}: {reason}"
        # The line's own record keeps the whole reason (history reasons hold 100
        # characters); the claim's names the line first.
        line._change_reason = reason[:100] or why
        line.delete()
        for later in lines:
            if later.line_number > number:
                later.line_number -= 1
                later._change_reason = f"Renumbered: line {number} was removed"
                later.save()
        _lines_changed(claim, why[:100])
    return claim
