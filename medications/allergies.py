"""The one place the medications app asks about a patient's allergies.

The registration app's ``Allergy`` model (substance, optional RxNorm code, status,
severity) is connected here; everything else in this app calls only this function.
"""


def active_allergy_substances(patient) -> list[str]:
    """Names of the substances the patient is actively allergic to."""
    try:
        from registration.models import Allergy
    except ImportError:
        return []
    rows = Allergy.objects.filter(patient=patient).exclude(
        status__in=["inactive", "resolved", "entered_in_error"]
    )
    return [row.substance for row in rows]
