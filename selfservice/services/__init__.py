"""Every write of the self-service app: what a patient does through a link
(``links``) and the intake's life (``intake``: sent once before a first visit,
decided item by item)."""

from selfservice.services.intake import (
    intake_decide,
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
    "intake_submit",
    "intakes_missing_publish",
    "link_cancel",
    "link_confirm",
    "link_reschedule",
]
