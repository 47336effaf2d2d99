"""Administrators' writes to the formulary."""

from django.db import transaction

from medications.models import Medication


def medication_save(*, medication: Medication, actor) -> Medication:
    """A formulary entry is validated whole and saved with history."""
    medication.barcode = "".join(ch for ch in medication.barcode if ch.isalnum())
    medication.ingredients = [
        name.strip() for name in medication.ingredients if name.strip()
    ]
    medication.full_clean()
    with transaction.atomic():
        verb = "changed" if medication.pk else "added"
        medication._change_reason = f"{verb} by {actor.get_username()}"
        medication.save()
    return medication
