"""Billing's home-page panel (clinic/dashboard.py PANELS)."""

from django.utils.translation import gettext as _

from billing import selectors
from billing.models import Claim
from clinic.panels import Panel


def billing_today(request) -> Panel | None:
    if not request.user.has_perm("billing.view_claim"):
        return None
    queues = selectors.work_queue_counts()
    return Panel(
        title=_("Claims to work"),
        template="billing/panels/_billing_today.html",
        context={
            "visits_to_bill": selectors.visits_to_bill().count(),
            "ready": Claim.objects.filter(status="ready").count(),
            "queues": queues,
            "exceptions": selectors.remittance_exceptions().count(),
        },
    )
