"""The registration app's models, by subject; import them from here."""

from registration.models.allergies import Allergy
from registration.models.breakglass import BreakGlassGrant
from registration.models.contacts import PatientContact
from registration.models.insurance import (
    Coverage,
    EligibilityCheck,
    Payer,
    card_upload_to,
)
from registration.models.patients import Patient

__all__ = [
    "Allergy",
    "BreakGlassGrant",
    "Coverage",
    "EligibilityCheck",
    "Patient",
    "PatientContact",
    "Payer",
    "card_upload_to",
]
