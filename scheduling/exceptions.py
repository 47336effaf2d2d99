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
TOO_EARLY = _("%(action)s is for the visit's day: it opens at %(opens)s.")
TOO_LATE = _("%(action)s is for the visit's day, which ended at %(closes)s.")
NO_SHOW_TOO_EARLY = _(
    "A visit becomes a no-show only %(grace)s minutes after its start, at %(opens)s."
)
OVERRIDE_FORBIDDEN = _(
    "Only someone allowed to override the visit's times (an administrator) can do "
    "it now, with a reason."
)
OVERRIDE_REASON_REQUIRED = _(
    "To do it anyway, give a reason; it is kept in the appointment's history."
)
NOTHING_TO_UNDO = _(
    "A visit that is %(current)s has no check-in, no-show or completion to undo."
)
UNDO_TOO_LATE = _(
    "Only a change made today can be undone; this one was made on %(day)s."
)
UNDO_SLOT_TAKEN = _(
    "The visit's time has been given to another visit since: book the patient again "
    "instead."
)


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


class OutsideVisitWindow(SchedulingError):
    """A status change asked for outside the visit's time, without an override."""


class CannotUndo(SchedulingError):
    pass
