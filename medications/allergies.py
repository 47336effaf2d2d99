"""The one place the medications app asks about a patient's allergies: the
registration app's active allergies (substance names), and the one rule for
when a substance matches a drug."""

from registration.selectors import patient_active_allergies


def active_allergy_substances(patient) -> list[str]:
    """Names of the substances the patient is actively allergic to."""
    return [allergy.substance for allergy in patient_active_allergies(patient=patient)]


def substances_in(substances, names) -> list[str]:
    """The ``substances`` that match one of a drug's ``names`` (its ingredients
    and its own name): case-insensitively, either one containing the other
    ("penicillin" matches "penicillin v potassium")."""
    names = [name.strip().lower() for name in names if name and name.strip()]
    found = []
    for substance in substances:
        wanted = substance.strip().lower()
        if wanted and any(wanted in name or name in wanted for name in names):
            found.append(substance)
    return found
