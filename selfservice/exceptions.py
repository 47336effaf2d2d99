from django.utils.translation import gettext_lazy as _

from clinic.exceptions import ApplicationError

TIME_GONE = _("That time is no longer free. Please pick another one.")
VISIT_CLOSED = _("This visit can no longer be changed here. Please call the clinic.")
INTAKE_ALREADY_RECEIVED = _("We already have your form. Thank you!")
ITEM_DECIDED = _("This item was already decided.")
ITEM_UNKNOWN = _("This intake has no such item.")


class SelfServiceError(ApplicationError):
    pass
