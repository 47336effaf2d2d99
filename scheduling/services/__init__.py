"""Every write of the scheduling app, by subject; import them from here.

``booking`` (book, move), ``visits`` (a visit's status), ``undo`` (take back a
check-in, no-show or completion), ``waitlist``, ``series`` (recurring visits),
``sweeps`` (the periodic no-show and eligibility runs) and ``providers`` (feed
links). Every write is one transaction and keeps history.
"""

from scheduling.services.booking import (
    ALTERNATIVES,
    DOUBLE_BOOK_PERMISSION,
    OVERLAP_CONSTRAINTS,
    appointment_book,
    appointment_reschedule,
    is_overlap,
)
from scheduling.services.providers import provider_feed_reset, provider_feed_revoke
from scheduling.services.series import (
    series_book,
    series_cancel_following,
    series_reschedule_following,
)
from scheduling.services.sweeps import eligibility_sweep, no_show_sweep
from scheduling.services.undo import UNDO_LABELS, appointment_undo
from scheduling.services.visits import (
    NO_SHOW_TASK_KEY,
    QUICK_ACTIONS,
    STAMPS,
    TRANSITIONS,
    S,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_confirm,
    appointment_mark_no_show,
    appointment_room,
)
from scheduling.services.waitlist import waitlist_add, waitlist_mark

__all__ = [
    "ALTERNATIVES",
    "DOUBLE_BOOK_PERMISSION",
    "NO_SHOW_TASK_KEY",
    "OVERLAP_CONSTRAINTS",
    "QUICK_ACTIONS",
    "STAMPS",
    "TRANSITIONS",
    "UNDO_LABELS",
    "S",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_complete",
    "appointment_confirm",
    "appointment_mark_no_show",
    "appointment_reschedule",
    "appointment_room",
    "appointment_undo",
    "eligibility_sweep",
    "is_overlap",
    "no_show_sweep",
    "provider_feed_reset",
    "provider_feed_revoke",
    "series_book",
    "series_cancel_following",
    "series_reschedule_following",
    "waitlist_add",
    "waitlist_mark",
]
