"""The scheduling app's models, by subject; import them from here."""

from scheduling.models.appointments import (
    UPCOMING_STATUSES,
    Appointment,
    AppointmentQuerySet,
    AppointmentSeries,
)
from scheduling.models.availability import AvailabilityException, AvailabilityRule
from scheduling.models.resources import (
    MAX_VISIT_MINUTES,
    AppointmentType,
    Colour,
    Location,
    Provider,
    Room,
)
from scheduling.models.waitlist import WaitlistEntry

__all__ = [
    "MAX_VISIT_MINUTES",
    "UPCOMING_STATUSES",
    "Appointment",
    "AppointmentQuerySet",
    "AppointmentSeries",
    "AppointmentType",
    "AvailabilityException",
    "AvailabilityRule",
    "Colour",
    "Location",
    "Provider",
    "Room",
    "WaitlistEntry",
]
