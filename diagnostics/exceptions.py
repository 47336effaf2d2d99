from django.utils.translation import gettext_lazy as _

from clinic.exceptions import ApplicationError

WRONG_STATE = _("This order is %(status)s; it cannot be %(action)s.")
ACKNOWLEDGE_FIRST = _(
    "Acknowledge the critical result(s) first: %(tests)s. Say what was done."
)
NOT_CRITICAL = _("This result is not critical; there is nothing to acknowledge.")
ALREADY_ACKNOWLEDGED = _("This critical result was already acknowledged.")
NO_RESULTS_YET = _("There are no results to review yet.")


class OrderStateError(ApplicationError):
    """The order's status forbids the action."""


class Hl7Error(Exception):
    """A message that cannot be applied. ``code`` is the ACK code: AR (rejected:
    unreadable, wrong type or structure) or AE (application error: fix the order or
    catalogue and re-process)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class Hl7FileRefused(ApplicationError):
    """A file of HL7 messages refused whole before anything of it was stored (too
    large a message or field, a NUL byte)."""
