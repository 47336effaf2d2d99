"""Domain errors of the medications app; their messages are for the user."""

from clinic.exceptions import ApplicationError


class OrderNotChangeable(ApplicationError):
    """The order's status forbids the change (e.g. resuming a discontinued order)."""


class DuplicateTherapy(ApplicationError):
    """Another active order for the same drug exists; the clinician must confirm."""


class AllergyBlocked(ApplicationError):
    """The drug matches a recorded allergy and no override reason was given."""


class FiveRightsError(ApplicationError):
    """A bedside check failed; ``check`` names which right: patient, drug, dose,
    route, time, witness."""

    def __init__(self, message: str, *, check: str):
        super().__init__(message)
        self.check = check


class DoseNotOpen(ApplicationError):
    """The dose was already given, held, refused or cancelled."""


class DoseAlreadyGiven(DoseNotOpen):
    """Someone else recorded this dose first; the message says who and when."""


class PrnLimitReached(ApplicationError):
    """A PRN dose now would break the minimum interval or the 24-hour maximum."""


class ReconciliationNotOpen(ApplicationError):
    """The medication review was already completed (or belongs to someone else's
    patient); a new one must be started."""
