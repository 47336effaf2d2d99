from django.utils.translation import gettext_lazy as _

from clinic.exceptions import ApplicationError

ALREADY_RESOLVED = _("This alert is already resolved.")
NOT_YOURS = _("This alert is for another role; it is not in your inbox.")


class AlertClosed(ApplicationError):
    pass


class AlertNotForYou(ApplicationError):
    pass


NOT_RESENDABLE = _("Only a failed, undeliverable or skipped message can be resent.")
RESEND_REASON_REQUIRED = _("Say why the message is sent again; the reason is kept.")


class NotResendable(ApplicationError):
    pass


NUMBER_STOPPED = _(
    "%(number)s replied STOP (%(since)s): texts restart only when START is sent "
    "from that phone."
)


class NumberStopped(ApplicationError):
    pass
