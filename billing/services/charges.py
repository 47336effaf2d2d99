"""Charge capture and the visit's diagnoses: what a completed visit bills."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.exceptions import BillingError
from billing.icd10cm import icd10cm_lookup, icd10cm_normalise, icd10cm_problem
from billing.models import Charge, VisitDiagnosis
from billing.selectors import fee_for, fee_schedule_refusal
from billing.services.claims import claim_rebuild
from billing.validators import MAX_DIAGNOSES, cpt_is_valid

NOT_EDITABLE = "The visit's claim has been submitted: correct the claim instead."
NOT_COMPLETED = "Only a completed visit has charges."
CLAIM_MADE = (
    "Billing has made claim %(claim)s (%(status)s) for this visit: its completion "
    "cannot be undone. Billing corrects or voids the claim instead."
)


def visit_is_editable(*, appointment) -> bool:
    """Charges and diagnoses change only while no open claim of the visit went out
    (a closed claim replaced by a corrected draft no longer holds them)."""
    return not appointment.claims.exclude(
        status__in=["draft", "ready", "rejected", "closed"]
    ).exists()


def _check_editable(appointment) -> None:
    if not visit_is_editable(appointment=appointment):
        raise BillingError(_(NOT_EDITABLE))


def charges_capture_for_visit(*, appointment, actor=None) -> list[Charge]:
    """A completed visit gets draft charges from its type's default codes, once
    (charges taken back when a completion was undone do not count)."""
    if appointment.charges.exclude(status=Charge.Status.VOID).exists():
        return []
    codes = (appointment.appointment_type.billing_code or "").replace(",", " ").split()
    created = []
    with transaction.atomic():
        for code in codes:
            price, description = fee_for(code=code)
            charge = Charge(
                appointment=appointment,
                patient_id=appointment.patient_id,
                provider_id=appointment.provider_id,
                service_date=timezone.localtime(appointment.start).date(),
                code=code.upper(),
                description=description,
                unit_price=price,
                created_by=actor,
            )
            charge._change_reason = "Captured when the visit was completed"
            charge.save()
            created.append(charge)
    return created


def charges_withdraw_for_visit(*, appointment, actor, reason: str) -> list[Charge]:
    """Undoing a visit's completion takes back its draft charges. Once billing has
    made a claim of them the visit is billing's: the completion stays, and a
    mistake is corrected on the claim (correct, void)."""
    claim = appointment.claims.order_by("pk").first()
    if claim is not None:
        raise BillingError(
            _(CLAIM_MADE)
            % {"claim": claim.claim_number, "status": claim.get_status_display()}
        )
    withdrawn = []
    with transaction.atomic():
        drafts = Charge.objects.select_for_update().filter(
            appointment=appointment, status=Charge.Status.DRAFT
        )
        for charge in drafts.order_by("pk"):
            charge.status = Charge.Status.VOID
            charge._change_reason = f"Visit completion undone: {reason}"[:100]
            charge.save()
            withdrawn.append(charge)
    return withdrawn


def check_on_fee_schedule(code: str) -> None:
    """A new charge or claim line code comes from the clinic's fee schedule (a
    code a line already has stays: a payer's rejection may need it corrected)."""
    if not cpt_is_valid(code):
        return  # the shape's own message says what is wrong
    refusal = fee_schedule_refusal(code=code)
    if refusal:
        raise ValidationError({"code": refusal})


def charge_add(
    *,
    appointment,
    code: str,
    modifiers: str = "",
    units: Decimal = Decimal("1"),
    unit_price: Decimal | None = None,
    diagnosis_pointers: str = "1",
    actor,
) -> Charge:
    if appointment.status != "completed":
        raise BillingError(_(NOT_COMPLETED))
    _check_editable(appointment)
    code = code.strip().upper()
    check_on_fee_schedule(code)
    modifiers = " ".join(modifiers.upper().split())
    price, description = fee_for(code=code, modifiers=modifiers)
    charge = Charge(
        appointment=appointment,
        patient_id=appointment.patient_id,
        provider_id=appointment.provider_id,
        service_date=timezone.localtime(appointment.start).date(),
        code=code,
        modifiers=modifiers,
        units=units,
        unit_price=price if unit_price is None else unit_price,
        description=description,
        diagnosis_pointers=" ".join(diagnosis_pointers.split()),
        created_by=actor,
    )
    charge.full_clean()
    with transaction.atomic():
        charge.save()
        _refresh_claims(appointment, actor)
    return charge


def charge_update(*, charge: Charge, actor, **fields) -> Charge:
    """Billing edits a draft charge: code, modifiers, units, price, pointers."""
    _check_editable(charge.appointment)
    for name in ("code", "modifiers", "diagnosis_pointers"):
        if name in fields:
            fields[name] = " ".join(str(fields[name]).upper().split())
    if fields.get("code", charge.code) != charge.code:
        check_on_fee_schedule(fields["code"])
    for name, value in fields.items():
        setattr(charge, name, value)
    charge.full_clean()
    with transaction.atomic():
        charge._change_reason = "Reviewed by billing"
        charge.save()
        _refresh_claims(charge.appointment, actor)
    return charge


def charge_remove(*, charge: Charge, actor) -> Charge:
    _check_editable(charge.appointment)
    with transaction.atomic():
        charge.status = Charge.Status.VOID
        charge._change_reason = "Removed by billing"
        charge.save()
        _refresh_claims(charge.appointment, actor)
    return charge


def diagnosis_add(*, appointment, code: str, actor) -> VisitDiagnosis:
    """A visit reports up to MAX_DIAGNOSES (12) diagnoses, each once, in order;
    each a billable code of the ICD-10-CM table, stored with the table's words."""
    _check_editable(appointment)
    problem = icd10cm_problem(code)
    if problem:
        raise ValidationError({"code": problem})
    code = icd10cm_normalise(code)
    existing = list(appointment.diagnoses.all())
    if len(existing) >= MAX_DIAGNOSES:
        raise ValidationError(
            {"code": _("A visit has at most %d diagnoses.") % MAX_DIAGNOSES}
        )
    if any(d.code == code for d in existing):
        raise ValidationError(
            {"code": _("%(code)s is already listed.") % {"code": code}}
        )
    diagnosis = VisitDiagnosis(
        appointment=appointment,
        position=len(existing) + 1,
        code=code,
        description=icd10cm_lookup(code).description[:120],
    )
    diagnosis.full_clean()
    with transaction.atomic():
        diagnosis.save()
        _refresh_claims(appointment, actor)
    return diagnosis


def diagnosis_remove(*, diagnosis: VisitDiagnosis, actor) -> None:
    """Removing a diagnosis renumbers the ones after it (pointers keep their number)."""
    appointment = diagnosis.appointment
    _check_editable(appointment)
    with transaction.atomic():
        position = diagnosis.position
        diagnosis._change_reason = "Removed by billing"
        diagnosis.delete()
        for later in appointment.diagnoses.filter(position__gt=position).order_by(
            "position"
        ):
            later.position -= 1
            later.save()
        _refresh_claims(appointment, actor)


def _refresh_claims(appointment, actor) -> None:
    for claim in appointment.claims.filter(status__in=["draft", "ready", "rejected"]):
        claim_rebuild(claim=claim, actor=actor)
