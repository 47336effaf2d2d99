"""Administrators' writes to the formulary."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from medications.models import Medication
from medications.ndc import ndc_canonical

NDC_NOT_ONE = _(
    "Type the NDC as printed on the package, with its dashes (4-4-2, 5-3-2 or "
    "5-4-1), or as its 11 digits (5-4-2). Ten digits without dashes could be three "
    "different drugs."
)


def medication_save(*, medication: Medication, actor) -> Medication:
    """A formulary entry is validated whole and saved with history; its NDC is kept
    in the one 11-digit 5-4-2 form that the bedside scan compares with."""
    canonical = ndc_canonical(medication.barcode)
    if canonical is None:
        raise ValidationError({"barcode": NDC_NOT_ONE})
    medication.barcode = canonical
    medication.ingredients = [
        name.strip() for name in medication.ingredients if name.strip()
    ]
    medication.full_clean()
    with transaction.atomic():
        verb = "changed" if medication.pk else "added"
        medication._change_reason = f"{verb} by {actor.get_username()}"
        medication.save()
    return medication
