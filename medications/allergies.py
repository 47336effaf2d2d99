"""The one place the medications app asks about a patient's allergies: the
registration app's active allergies (substance names)."""

from registration.selectors import patient_active_allergies


def active_allergy_substances(patient) -> list[str]:
    """Names of the substances the patient is actively allergic to."""
    return [allergy.substance for allergy in patient_active_allergies(patient=patient)]
