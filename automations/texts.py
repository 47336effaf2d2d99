"""Message and task texts: ``{placeholder}`` filled from the event, nothing else.

A text is checked the way reminder rules are (``alerts.reminders.template_names``:
well formed, plain names only, ``{{`` for a brace), against this engine's names."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.reminders import TemplateError, template_names

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

UNKNOWN_PLACEHOLDER = _("Unknown placeholder: %(names)s.")


def check_text(text: str) -> None:
    """TemplateError when ``text`` is not well formed, reaches into an attribute
    or an index (``{patient.__class__}``), or names a placeholder not filled here."""
    unknown = sorted(template_names(text, example="patient") - PLACEHOLDERS.keys())
    if unknown:
        raise TemplateError(
            UNKNOWN_PLACEHOLDER % {"names": ", ".join(f"{{{n}}}" for n in unknown)}
        )


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""  # a placeholder this event has no value for


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
    """The text with its placeholders filled; TemplateError (nothing sent) for a
    text that does not pass ``check_text``, such as one saved before it existed."""
    check_text(text)
    return text.format_map(_Blank({k: str(v) for k, v in context.items()})).strip()
