"""Home-page panels of scheduling: the front desk's day at a glance, and the
clinician's own patients today."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.clock import local_midnight
from clinic.panels import Panel
from scheduling.models import Provider
from scheduling.selectors import today_board
from scheduling.selectors.day_grid import appointments_between


def front_desk_today(request) -> Panel | None:
    if not request.user.has_perm("scheduling.view_appointment"):
        return None
    board = today_board()
    return Panel(
        title="Today's visits",
        template="scheduling/panels/_today.html",
        context={"counts": {key: len(items) for key, items in board.items()}},
    )


def clinician_today(request) -> Panel | None:
    """The signed-in clinician's patients today, in time order, with where each
    visit stands (expected, checked in, in room, done, missed)."""
    if not request.user.has_perm("scheduling.view_appointment"):
        return None
    provider = Provider.objects.filter(user=request.user).first()
    if provider is None:
        return None
    day = timezone.localdate()
    visits = appointments_between(
        start=local_midnight(day), end=local_midnight(day + timedelta(days=1))
    ).filter(provider=provider)
    return Panel(
        title=_("My patients today"),
        template="scheduling/panels/_clinician_today.html",
        context={"visits": list(visits), "provider": provider},
        width=12,
    )
