"""What automations need from the apps above them, registered by those apps.

Automations sits below scheduling and diagnostics (the project's layering), so it
never imports them: scheduling puts its visit model and the choices of its
condition fields here, diagnostics its result model and flags, each in its
``AppConfig.ready()``. A missing source is a wiring mistake and says so.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

Choices = Callable[[], list[tuple[str, str]]]


@dataclass
class Sources:
    # scheduling.Appointment: the visit that time-relative triggers, reminders and
    # visit facts are about (its ``Status`` and ``UPCOMING_STATUSES`` with it).
    visit_model: type | None = None
    # A made-up visit for previews: (appointment type ids) -> an object with
    # start, appointment_type, provider and location (each with a name; the
    # location with an address).
    sample_visit: Callable | None = None
    # diagnostics.Observation: the result that critical-result automations watch.
    result_model: type | None = None
    # Condition field (automations.models.Condition.Field value) → its choices.
    choices: dict[str, Choices] = field(default_factory=dict)


SOURCES = Sources()


def _required(value, what: str):
    if value is None:
        raise ImproperlyConfigured(f"{what} is not registered in automations.sources")
    return value


def visit_model():
    return _required(SOURCES.visit_model, "the visit model (scheduling)")


def result_model():
    return _required(SOURCES.result_model, "the result model (diagnostics)")


def sample_visit(appointment_type_ids=()):
    provider = _required(SOURCES.sample_visit, "the sample visit (scheduling)")
    return provider(appointment_type_ids)


def choices_for(field_name: str) -> list[tuple[str, str]]:
    provider = SOURCES.choices.get(field_name)
    return provider() if provider is not None else []


def is_visit(record) -> bool:
    return record is not None and isinstance(record, visit_model())
