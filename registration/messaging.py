"""What alerts asks registration about a message's patient.

alerts sits below registration and imports none of it; ``RegistrationConfig.ready``
hands these functions to ``alerts.hooks``: which patient a mobile number belongs
to, whether a patient may get any message (and a contact a message of a kind),
the patient banner. STOP and START belong to the number and are alerts' own.
"""

from alerts import hooks
from registration.models import Patient
from registration.restriction import mark_hidden
from registration.selectors import contact_unreachable_reason, patient_banner


def patient_by_mobile(number: str) -> Patient | None:
    """A text from a number belongs to the newest record with that mobile number
    (a merged record points elsewhere and never answers)."""
    return (
        Patient.objects.filter(phone_mobile=number)
        .exclude(status=Patient.Status.MERGED)
        .order_by("-id")
        .first()
    )


def patient_unreachable_reason(patient: Patient) -> str:
    """Only an active patient gets messages (not one inactive, deceased or merged)."""
    if patient.status != Patient.Status.ACTIVE:
        return f"patient {patient.get_status_display().lower()}"
    return ""


def register() -> None:
    hooks.patient_by_mobile.register(patient_by_mobile)
    hooks.patient_unreachable_reason.register(patient_unreachable_reason)
    hooks.contact_unreachable_reason.register(contact_unreachable_reason)
    hooks.patient_banner.register(patient_banner)
    hooks.patients_hide.register(mark_hidden)
