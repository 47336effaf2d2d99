"""The chart's "Problems and plans" panel. Clinical roles see the active problems
and each plan's state; the front desk sees only that a review is due (a plan's, or
the home medications'), never what the plans hold."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from careplans import selectors
from clinic.panels import Panel
from clinic.permissions import PLAN_DUE
from medications.selectors import reconciliation_last

TEMPLATE = "careplans/partials/_chart_panel.html"
# A home list not reviewed for this long is due for review at the next visit.
MEDICATION_REVIEW_EVERY = timedelta(days=365)


def medication_review_due(patient) -> bool:
    last = reconciliation_last(patient=patient)
    return last is None or last.completed_at < timezone.now() - MEDICATION_REVIEW_EVERY


def chart_provider(request, patient) -> Panel | None:
    user = request.user
    if user.has_perm("careplans.view_careplan"):
        plans = selectors.patient_plans(patient=patient)
        context = {
            "patient": patient,
            "clinical": True,
            "problems": selectors.patient_problems(
                patient=patient, include_resolved=False
            ),
            "plans": [
                s for s in plans if s.plan.status in selectors.OPEN_PLAN_STATUSES
            ],
        }
    elif user.has_perm(PLAN_DUE):
        context = {
            "clinical": False,
            "plan_review_due": selectors.plan_review_due(patient=patient),
        }
    else:
        return None
    context["medication_review_due"] = medication_review_due(patient)
    return Panel(
        key="careplans",
        title=_("Problems and plans"),
        template=TEMPLATE,
        context=context,
    )
