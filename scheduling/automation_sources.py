"""What scheduling lends to automations (``automations.sources``): its visit
model, a made-up visit for text previews, and the choices of the conditions on
appointment type, provider and location. Registered in ``SchedulingConfig.ready``.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils.translation import gettext as _

from automations.models import Condition
from automations.sources import SOURCES
from clinic.clock import clinic_zone, today
from scheduling.models import Appointment, AppointmentType, Location, Provider


def _active_choices(model) -> list[tuple[str, str]]:
    rows = model.objects.filter(is_active=True).order_by("name")
    return [(str(pk), name) for pk, name in rows.values_list("pk", "name")]


@dataclass(frozen=True)
class _Named:
    name: str
    address: str = ""


@dataclass(frozen=True)
class SampleVisit:
    """A made-up visit (no patient's data) for a preview."""

    start: datetime
    appointment_type: _Named
    provider: _Named
    location: _Named


def sample_visit(appointment_type_ids=()) -> SampleVisit:
    """Next Tuesday at 09:30 with the first active location and provider, of the
    first type given."""
    day = today()
    day += timedelta(days=(1 - day.weekday()) % 7 or 7)
    location = Location.objects.filter(is_active=True).order_by("name").first()
    provider = Provider.objects.filter(is_active=True).order_by("name").first()
    kind = (
        AppointmentType.objects.filter(pk__in=list(appointment_type_ids))
        .order_by("name")
        .first()
    )
    return SampleVisit(
        start=datetime.combine(day, time(9, 30), tzinfo=clinic_zone()),
        appointment_type=_Named(kind.name if kind else _("Follow-up visit")),
        provider=_Named(provider.name if provider else "Dr Example"),
        location=_Named(
            location.name if location else "Main Street Clinic",
            location.address if location else "1 Main Street",
        ),
    )


def register() -> None:
    F = Condition.Field
    SOURCES.visit_model = Appointment
    SOURCES.sample_visit = sample_visit
    SOURCES.choices[F.APPOINTMENT_TYPE] = lambda: _active_choices(AppointmentType)
    SOURCES.choices[F.PROVIDER] = lambda: _active_choices(Provider)
    SOURCES.choices[F.LOCATION] = lambda: _active_choices(Location)
