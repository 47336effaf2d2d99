"""The one vocabulary of every text sent to a patient (reminder rules and
automation messages) and of staff task titles: ``{placeholder}`` filled from the
patient and the visit, nothing else.

Texts saved before the vocabulary was one may use older names; ``ALIASES`` maps
each to the name it means now, so they still render (and pass the check). A text
is well formed, uses plain names only and writes ``{{`` for a brace.
"""

import string
from collections.abc import Callable

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

from clinic.clock import clinic_zone

PLACEHOLDERS = {
    "first_name": "the patient's preferred or given name",
    "full_name": "the patient's full name",
    "mrn": "the patient's MRN",
    "date": "the visit's date, in the clinic's time zone",
    "time": "the visit's time, in the clinic's time zone",
    "weekday": "the visit's weekday",
    "date_time": "the visit's date and time",
    "appointment_type": "the kind of visit",
    "provider": "the provider's name",
    "location": "the location's name",
    "address": "the location's address",
    "clinic": "the clinic's name",
    "reply_instructions": "how to confirm, ask for a call or stop texts",
    "link": "the visit's own page: confirm, cancel or pick another time",
    "intake_link": "the intake form before a first visit",
    "visits": "each visit of a text that names several (one text per number and "
    "day), numbered for the reply",
}

# Values an app above automations adds for a visit (selfservice: the visit's
# links), registered from its ``AppConfig.ready()``: provider(visit) -> dict.
VISIT_VALUES: list[Callable[[object], dict[str, str]]] = []

# Old name → the name it means now (automation messages used these before the
# vocabulary was one). The only place the old names live.
ALIASES = {
    "patient": "first_name",
    "patient_name": "full_name",
    "appointment_date": "date",
    "appointment_time": "date_time",
}

REPLY_INSTRUCTIONS = {
    "en": "Reply C to confirm, X to cancel, R to ask for a call, STOP to opt out.",
    "es": "Responda C para confirmar, X para cancelar, R para que le llamemos, STOP "
    "para no recibir mensajes.",
    "fr": "Répondez C pour confirmer, X pour annuler, R pour être rappelé, STOP pour "
    "ne plus recevoir de SMS.",
    "pt": "Responda C para confirmar, X para cancelar, R para pedir uma ligação, STOP "
    "para sair.",
}

# One text for the visits of several patients that share a number, on one day;
# ``{visits}`` numbers them, and the reply names one (C1, C2). A language missing
# here gets the English text, written wholly in English.
GROUP_REMINDERS = {
    "en": "{clinic} reminders: {visits}. Reply C1, C2... to confirm one, X1, X2... "
    "to cancel one, R to ask for a call, STOP to opt out.",
    "es": "Recordatorios de {clinic}: {visits}. Responda C1, C2... para confirmar "
    "una cita, X1, X2... para cancelarla, R para que le llamemos, STOP para no "
    "recibir mensajes.",
}
# One visit in such a text, and in the "which one?" answer to a plain C or X.
VISIT_LINE = "{first_name} {weekday} {date} {time}, {provider}, {location}"
GROUP_CHOICE = {
    "en": "{letter}{number} for {first_name} {time}",
    "es": "{letter}{number} para {first_name} {time}",
}
GROUP_QUESTION = {
    "en": "Which visit? Reply {choices}",
    "es": "¿Qué cita? Responda {choices}",
}

UNKNOWN_PLACEHOLDER = _("Unknown name(s) %(names)s. Allowed: %(allowed)s.")


class TemplateError(ValueError):
    """The text uses a name it may not, or is not well formed."""


def template_names(template: str) -> set[str]:
    """The names a text uses; TemplateError if it is not well formed or reaches
    into an attribute or an index (``{first_name.__class__}``)."""
    names = set()
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        raise TemplateError(
            _(
                "The message is not well formed: %(error)s. Use {first_name}, "
                "write {{ or }} for a brace."
            )
            % {"error": error}
        ) from error
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise TemplateError(
                _("{%(field)s} is not allowed: use a plain name such as {first_name}.")
                % {"field": field}
            )
        names.add(field)
    return names


def check_text(text: str) -> None:
    """TemplateError when ``text`` is not well formed or names a placeholder that
    is neither in the vocabulary nor an old alias of it."""
    unknown = sorted(template_names(text) - PLACEHOLDERS.keys() - ALIASES.keys())
    if unknown:
        raise TemplateError(
            UNKNOWN_PLACEHOLDER
            % {
                "names": ", ".join(f"{{{n}}}" for n in unknown),
                "allowed": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
            }
        )


def base_language(code: str) -> str:
    return (code or "en").replace("_", "-").split("-")[0].lower()


def text_context(*, patient=None, visit=None, language: str) -> dict[str, str]:
    """The values of a text written in ``language``: dates, times and the reply
    instructions in that language's words and formats (never another's)."""
    lang = base_language(language)
    context = {
        "clinic": settings.CLINIC_NAME,
        "reply_instructions": REPLY_INSTRUCTIONS.get(lang, REPLY_INSTRUCTIONS["en"]),
    }
    if patient is not None:
        context.update(
            first_name=patient.preferred_name or patient.given_name,
            full_name=f"{patient.given_name} {patient.family_name}",
            mrn=patient.mrn,
        )
    if visit is not None:
        local = visit.start.astimezone(clinic_zone())
        with translation.override(lang):
            context.update(
                date=formats.date_format(local, "DATE_FORMAT"),
                time=formats.time_format(local, "TIME_FORMAT"),
                weekday=formats.date_format(local, "l"),
                date_time=formats.date_format(local, "DATETIME_FORMAT"),
            )
        context.update(
            appointment_type=visit.appointment_type.name,
            provider=visit.provider.name,
            location=visit.location.name,
            address=visit.location.address,
        )
        for provider in VISIT_VALUES:
            context.update(provider(visit))
    return context


class _Values(dict):
    def __missing__(self, key: str) -> str:
        if key in ALIASES:
            return self.get(ALIASES[key], "")
        return ""  # a placeholder this event has no value for


def render(text: str, context: dict) -> str:
    """The text with its placeholders filled; TemplateError (nothing sent) for a
    text that does not pass ``check_text``, such as one saved before it existed."""
    check_text(text)
    return text.format_map(_Values({k: str(v) for k, v in context.items()})).strip()
