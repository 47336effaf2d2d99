"""Reminder rules evaluated: which rules apply to a visit, when each one fires, and
its text in the patient's language. Small pure functions (no database writes), so
the outbox, the rule preview and later automations share them.
"""

import math
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

from clinic.clock import clinic_zone

# Names a template may use, with what they hold; anything else is refused.
TEMPLATE_VARIABLES = {
    "first_name": "the patient's preferred or given name",
    "date": "the visit's date, in the clinic's time zone",
    "time": "the visit's time, in the clinic's time zone",
    "weekday": "the visit's weekday",
    "location": "the location's name",
    "address": "the location's address",
    "provider": "the provider's name",
    "appointment_type": "the kind of visit",
    "clinic": "the clinic's name",
    "reply_instructions": "how to confirm, ask for a call or stop texts",
}

REPLY_INSTRUCTIONS = {
    "en": "Reply C to confirm, R to ask for a call, STOP to opt out.",
    "es": "Responda C para confirmar, R para que le llamemos, STOP para no recibir "
    "mensajes.",
    "fr": "Répondez C pour confirmer, R pour être rappelé, STOP pour ne plus "
    "recevoir de SMS.",
    "pt": "Responda C para confirmar, R para pedir uma ligação, STOP para sair.",
}

# A send never happens closer to the visit than this (the patient is on the way).
LAST_CALL = timedelta(minutes=30)


class TemplateError(ValueError):
    """The template uses a name it may not, or is not well formed."""


# --- Which rules -----------------------------------------------------------------


def rule_applies(*, rule_type_ids: set[int], appointment_type_id: int) -> bool:
    """A rule with no types listed applies to every type."""
    return not rule_type_ids or appointment_type_id in rule_type_ids


# --- When ------------------------------------------------------------------------


def in_quiet_hours(local: time, *, quiet_start: time, quiet_end: time) -> bool:
    """Quiet hours may wrap midnight (21:00-08:00) or not (12:00-13:00)."""
    if quiet_start == quiet_end:
        return False
    if quiet_start < quiet_end:
        return quiet_start <= local < quiet_end
    return local >= quiet_start or local < quiet_end


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """``day`` at wall-clock ``moment`` in ``zone``, as UTC. A wall time that does
    not exist (spring forward) lands after the gap (02:30 → 03:30); one that
    happens twice (fall back) is the first (fold=0, PEP 495)."""
    naive = datetime.combine(day, moment)
    aware = naive.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC)


def quiet_hours_end(
    moment: datetime, *, quiet_start: time, quiet_end: time, zone: ZoneInfo
) -> datetime:
    """The first allowed moment at or after ``moment``."""
    local = moment.astimezone(zone)
    if not in_quiet_hours(local.time(), quiet_start=quiet_start, quiet_end=quiet_end):
        return moment
    day = local.date()
    if quiet_start > quiet_end and local.time() >= quiet_start:
        day += timedelta(days=1)
    return _at(day, quiet_end, zone)


def quiet_hours_start_before(
    moment: datetime, *, quiet_start: time, quiet_end: time, zone: ZoneInfo
) -> datetime:
    """The last allowed minute before the quiet hours that hold ``moment`` began."""
    local = moment.astimezone(zone)
    day = local.date()
    if quiet_start > quiet_end and local.time() < quiet_end:
        day -= timedelta(days=1)
    return _at(day, quiet_start, zone) - timedelta(minutes=1)


def send_time(
    *,
    start: datetime,
    hours_before: int,
    quiet_start: time,
    quiet_end: time,
    now: datetime,
    zone: ZoneInfo | None = None,
) -> datetime | None:
    """When a reminder ``hours_before`` a visit at ``start`` goes out, or None.

    The ideal moment is ``hours_before`` real hours before the start (so a change of
    clocks between them does not shift it). Inside the quiet hours it moves to their
    end; when that would be too close to the visit (less than ``LAST_CALL`` before),
    it moves back to the last minute before the quiet hours began instead. A moment
    already past (booked late) is None: a later rule covers it.
    """
    zone = zone or clinic_zone()
    start = start.astimezone(UTC)
    ideal = start - timedelta(hours=hours_before)
    moment = quiet_hours_end(
        ideal, quiet_start=quiet_start, quiet_end=quiet_end, zone=zone
    )
    if moment > start - LAST_CALL:
        moment = quiet_hours_start_before(
            ideal, quiet_start=quiet_start, quiet_end=quiet_end, zone=zone
        )
    if moment < now - timedelta(minutes=5) or moment > start - LAST_CALL:
        return None
    return max(moment, now)


# --- What ------------------------------------------------------------------------


def template_names(template: str, *, example: str = "first_name") -> set[str]:
    """The variable names a template uses; TemplateError if it is not well formed
    or reaches into an attribute or an index (``{first_name.__class__}``). The
    messages suggest ``{example}``, a name the caller's texts may use."""
    names = set()
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        raise TemplateError(
            _(
                "The message is not well formed: %(error)s. Use {%(example)s}, "
                "write {{ or }} for a brace."
            )
            % {"error": error, "example": example}
        ) from error
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise TemplateError(
                _("{%(field)s} is not allowed: use a plain name such as {%(example)s}.")
                % {"field": field, "example": example}
            )
        names.add(field)
    return names


def check_template(template: str) -> None:
    unknown = sorted(template_names(template) - TEMPLATE_VARIABLES.keys())
    if unknown:
        raise TemplateError(
            _("Unknown name(s) %(names)s. Allowed: %(allowed)s.")
            % {
                "names": ", ".join(f"{{{n}}}" for n in unknown),
                "allowed": ", ".join(f"{{{n}}}" for n in TEMPLATE_VARIABLES),
            }
        )


def base_language(code: str) -> str:
    return (code or "en").replace("_", "-").split("-")[0].lower()


def pick_variant(
    *, language: str, default: tuple[str, str], variants: dict[str, tuple[str, str]]
) -> tuple[str, str]:
    """(subject, body) for ``language``: the exact variant, else its base language
    (``es`` for ``es-MX``), else the rule's default text."""
    wanted = (language or "").lower()
    lowered = {code.lower(): text for code, text in variants.items()}
    if wanted in lowered:
        return lowered[wanted]
    base = base_language(wanted)
    if base in lowered:
        return lowered[base]
    return default


@dataclass(frozen=True)
class VisitFacts:
    """What a reminder may say about a visit (no other data reaches a template)."""

    first_name: str
    start: datetime
    location: str
    address: str
    provider: str
    appointment_type: str


def template_context(
    facts: VisitFacts, *, language: str, zone: ZoneInfo | None = None
) -> dict[str, str]:
    local = facts.start.astimezone(zone or clinic_zone())
    lang = base_language(language)
    with translation.override(lang):
        day = formats.date_format(local, "DATE_FORMAT")
        clock = formats.time_format(local, "TIME_FORMAT")
        weekday = formats.date_format(local, "l")
    return {
        "first_name": facts.first_name,
        "date": day,
        "time": clock,
        "weekday": weekday,
        "location": facts.location,
        "address": facts.address,
        "provider": facts.provider,
        "appointment_type": facts.appointment_type,
        "clinic": settings.CLINIC_NAME,
        "reply_instructions": REPLY_INSTRUCTIONS.get(lang, REPLY_INSTRUCTIONS["en"]),
    }


def render(template: str, context: dict[str, str]) -> str:
    check_template(template)
    return template.format_map(context).strip()


def visit_facts(appointment) -> VisitFacts:
    patient = appointment.patient
    return VisitFacts(
        first_name=patient.preferred_name or patient.given_name,
        start=appointment.start,
        location=appointment.location.name,
        address=appointment.location.address,
        provider=appointment.provider.name,
        appointment_type=appointment.appointment_type.name,
    )


# --- SMS segments ---------------------------------------------------------------

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    count: int


def sms_segments(text: str) -> Segments:
    """How many SMS a text takes: GSM-7 holds 160 (153 per part when split), any
    other character makes the whole text UCS-2: 70 (67 per part)."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text):
        units = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "UCS-2"
    count = 1 if units <= single else math.ceil(units / part)
    return Segments(encoding=encoding, units=units, count=count if text else 0)


def rule_text(rule, facts: VisitFacts, *, language: str) -> tuple[str, str]:
    """(subject, body) of a rule for a visit, in the patient's language. Reads the
    rule's ``variants`` (prefetched by the caller)."""
    variants = {v.language: (v.subject, v.body) for v in rule.variants.all()}
    subject, body = pick_variant(
        language=language, default=(rule.subject, rule.body), variants=variants
    )
    context = template_context(facts, language=language)
    return render(subject or rule.subject, context), render(body, context)
