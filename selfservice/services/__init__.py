"""Every write of the self-service app: what a patient does through a link
(``links``) and the intake's life (``intake``: requested with a first visit,
filled in, decided item by item)."""

from selfservice.services.intake import (
    intake_decide,
    intake_request,
    intake_submit,
    intakes_missing_publish,
)
from selfservice.services.links import (
    CANCEL_REASONS,
    link_cancel,
    link_confirm,
    link_reschedule,
)

__all__ = [
    "CANCEL_REASONS",
    "intake_decide",
    "intake_request",
    "intake_submit",
    "intakes_missing_publish",
    "link_cancel",
    "link_confirm",
    "link_reschedule",
]
