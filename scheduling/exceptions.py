from django.utils.translation import gettext_lazy as _

from clinic.exceptions import ApplicationError

SLOT_TAKEN = _("That time was just taken. Choose one of the next free times.")
PATIENT_BUSY = _(
    "The patient already has an appointment at that time. Give a reason to book "
    "both anyway."
)
OUTSIDE_HOURS = _("That time is outside the provider's working hours.")
NO_ROOM_FREE = _("No room of the kind this visit needs is free at that time.")
PROVIDER_NOT_ALLOWED = _("This provider does not do this kind of appointment.")
DOUBLE_BOOK_FORBIDDEN = _("Only staff allowed to double-book may do that.")
REASON_REQUIRED = _("Give a reason; it is kept in the appointment's history.")
IN_THE_PAST = _("That time has already passed.")
NOT_ACTIVE = _("This appointment is cancelled or closed; it cannot be changed.")
INVALID_TRANSITION = _("A visit that is %(current)s cannot become %(target)s.")
SERIES_CONFLICT = _("The occurrence of %(date)s cannot move: that time is taken.")


class SchedulingError(ApplicationError):
    pass


class SlotTaken(SchedulingError):
    """The provider's or the room's time went to someone else; ``alternatives`` are
    the next free slots for the same visit."""

    def __init__(self, message=SLOT_TAKEN, alternatives=None):
        super().__init__(str(message))
        self.alternatives = list(alternatives or [])


class PatientBusy(SchedulingError):
    pass


class OutsideAvailability(SchedulingError):
    pass


class InvalidTransition(SchedulingError):
    pass


class NotAllowed(SchedulingError):
    pass
