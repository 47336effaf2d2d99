"""What diagnostics needs to know about a patient, behind one door each.

The registration app owns the patient record; these functions are the only places
diagnostics reads facts from it, so a change there is made here once.
"""

from datetime import date


def sex_at_birth(patient) -> str | None:
    """'F', 'M' or None (unknown or intersex: the sex-neutral range applies)."""
    value = getattr(patient, "sex_at_birth", "")
    return value if value in ("F", "M") else None


def age_in_years(patient, *, on: date) -> int:
    return patient.age_on(on)
