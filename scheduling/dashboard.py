"""Home-page panel of the front desk: today's visits at a glance."""

from clinic.panels import Panel
from scheduling.selectors import today_board


def front_desk_today(request) -> Panel | None:
    if not request.user.has_perm("scheduling.view_appointment"):
        return None
    board = today_board()
    return Panel(
        title="Today's visits",
        template="scheduling/panels/_today.html",
        context={"counts": {key: len(items) for key, items in board.items()}},
    )
