"""The clinician's home panel: patients whose plans have overdue activities or
are due for review (their own plans first, then everyone's)."""

from django.utils.translation import gettext as _

from careplans.selectors import plans_needing_attention
from clinic.panels import Panel
from registration.restriction import mark_hidden


def plans_overdue(request) -> Panel | None:
    user = request.user
    if not user.has_perm("careplans.change_careplan"):
        return None
    mine = plans_needing_attention(responsible=user)
    states = mine or plans_needing_attention()
    mark_hidden(
        [s.plan for s in states],
        user=user,
        restricted=lambda plan: bool(plan.patient.restriction),
    )
    return Panel(
        title=_("Care plans behind"),
        template="careplans/panels/_plans_overdue.html",
        context={"states": states, "mine": bool(mine)},
    )
