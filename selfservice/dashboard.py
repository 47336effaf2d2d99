"""The front desk's home panel: intakes patients sent, waiting for review."""

from django.utils.translation import gettext as _

from clinic.panels import Panel
from registration.restriction import mark_hidden
from selfservice.selectors import intake_list

SHOWN = 5


def intakes_to_review(request) -> Panel | None:
    user = request.user
    if not user.has_perm("selfservice.view_intake"):
        return None
    waiting = intake_list()
    intakes = list(waiting[:SHOWN])
    mark_hidden(
        intakes, user=user, restricted=lambda intake: bool(intake.patient.restriction)
    )
    return Panel(
        title=_("Intakes to review"),
        template="selfservice/panels/_intakes_to_review.html",
        context={"intakes": intakes, "count": waiting.count()},
    )
