"""When each status change of a visit may happen, and until when it may be undone.

One owner for the rule, asked by the services (which enforce it), the appointment
page, the check-in page and the day view's chips (which only show what is allowed):

* check-in, rooming and completion happen on the visit's day, from
  ``VISIT_EARLY_CHECKIN_MINUTES`` before its start until the clinic's midnight (or
  the visit's end, for a visit running past midnight);
* a no-show is marked only ``NO_SHOW_GRACE_MINUTES`` after the start;
* outside those times the change needs ``OVERRIDE_PERMISSION`` and a reason;
* a check-in, a no-show or a completion can be undone (with a reason) on the clinic
  day it was made, never later.

Days are the clinic's (``TIME_ZONE``, from ``CLINIC_TIME_ZONE``); the arithmetic is
in UTC so a daylight-saving change does not move a window.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scheduling.exceptions import NO_SHOW_TOO_EARLY, TOO_EARLY, TOO_LATE
from scheduling.models import Appointment
from scheduling.slots import local_midnight

S = Appointment.Status
OVERRIDE_PERMISSION = "scheduling.override_visit_window"

# The visit's day: the statuses a front desk sets while the patient is here.
ON_THE_DAY = (S.ARRIVED, S.IN_ROOM, S.COMPLETED)

# Status a visit returns to when a change is undone, and the stamp that change left.
UNDO_STAMPS = {S.ARRIVED: "arrived", S.NO_SHOW: "no_show", S.COMPLETED: "completed"}


@dataclass(frozen=True)
class Window:
    """[opens, closes): either end may be open (None)."""

    opens: datetime | None
    closes: datetime | None

    def contains(self, moment: datetime) -> bool:
        if self.opens is not None and moment < self.opens:
            return False
        return self.closes is None or moment < self.closes


def clinic_day_end(moment: datetime) -> datetime:
    """The clinic's midnight that ends the day of ``moment``."""
    day = timezone.localtime(moment).date()
    return local_midnight(day + timedelta(days=1))


def window_for(*, start: datetime, end: datetime, target: str) -> Window | None:
    """When a visit starting at ``start`` may become ``target`` (None: any time)."""
    if target in ON_THE_DAY:
        early = timedelta(minutes=settings.VISIT_EARLY_CHECKIN_MINUTES)
        return Window(opens=start - early, closes=max(clinic_day_end(start), end))
    if target == S.NO_SHOW:
        grace = timedelta(minutes=settings.NO_SHOW_GRACE_MINUTES)
        return Window(opens=start + grace, closes=None)
    return None


def is_in_window(appointment, target: str, now: datetime) -> bool:
    window = window_for(start=appointment.start, end=appointment.end, target=target)
    return window is None or window.contains(now)


ACTION_NAMES = {
    S.ARRIVED: _("Check-in"),
    S.IN_ROOM: _("Rooming"),
    S.COMPLETED: _("Completion"),
}


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%a %d %b %Y %H:%M")


def closed_message(appointment, target: str, now: datetime) -> str:
    """Why ``target`` cannot be set now, for the clerk; "" when it can."""
    window = window_for(start=appointment.start, end=appointment.end, target=target)
    if window is None or window.contains(now):
        return ""
    if target == S.NO_SHOW:
        return str(NO_SHOW_TOO_EARLY) % {
            "grace": settings.NO_SHOW_GRACE_MINUTES,
            "opens": _local(window.opens),
        }
    if now < window.opens:
        return str(TOO_EARLY) % {
            "action": ACTION_NAMES[target],
            "opens": _local(window.opens),
        }
    return str(TOO_LATE) % {
        "action": ACTION_NAMES[target],
        "closes": _local(window.closes),
    }


def change_made_at(appointment) -> datetime | None:
    """When the visit's undoable change (check-in, no-show, completion) was made."""
    stamp = UNDO_STAMPS.get(appointment.status)
    return getattr(appointment, f"{stamp}_at") if stamp else None


def undo_deadline(appointment) -> datetime | None:
    """Until when the visit's last change can be undone: the end of the clinic day
    it was made on. None: nothing to undo (or no time recorded for it)."""
    made_at = change_made_at(appointment)
    return clinic_day_end(made_at) if made_at else None


def can_undo(appointment, now: datetime) -> bool:
    deadline = undo_deadline(appointment)
    return deadline is not None and now < deadline
