"""Message and task texts: ``{placeholder}`` filled from the event, nothing else."""

import re

from django.conf import settings
from django.utils import timezone

PLACEHOLDERS = {
    "patient": "the patient's first (or preferred) name",
    "patient_name": "the patient's full name",
    "mrn": "the patient's MRN",
    "appointment_date": "the appointment's date",
    "appointment_time": "the appointment's date and time",
    "appointment_type": "the appointment's type",
    "provider": "the provider",
    "location": "the location",
    "clinic": "the clinic's name",
}

_PATTERN = re.compile(r"\{(\w+)\}")


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in _PATTERN.findall(text) if name not in PLACEHOLDERS})


def text_context(*, patient, subject) -> dict:
    context = {"clinic": settings.CLINIC_NAME}
    if patient is not None:
        context.update(
            patient=patient.preferred_name or patient.given_name,
            patient_name=f"{patient.given_name} {patient.family_name}",
            mrn=patient.mrn,
        )
    if subject is not None and subject._meta.label == "scheduling.Appointment":
        start = timezone.localtime(subject.start)
        context.update(
            appointment_date=start.strftime("%a %d %b %Y"),
            appointment_time=start.strftime("%a %d %b %Y %H:%M"),
            appointment_type=subject.appointment_type.name,
            provider=subject.provider.name,
            location=subject.location.name,
        )
    return context


def render(text: str, context: dict) -> str:
    return _PATTERN.sub(lambda m: str(context.get(m.group(1), "")), text).strip()
