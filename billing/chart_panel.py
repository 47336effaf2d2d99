"""The claims panel of the patient chart (registration.chart_panel.CHART_PANELS)."""

from django.utils.translation import gettext as _

from billing import selectors
from clinic.panels import Panel

TEMPLATE = "billing/partials/_chart_panel.html"


def chart_provider(request, patient):
    """The patient's latest claims for roles that see claims; none for others."""
    if not request.user.has_perm("billing.view_claim"):
        return None
    return Panel(
        key="claims",
        title=_("Claims"),
        template=TEMPLATE,
        context={"claims": selectors.patient_claims(patient=patient)},
    )
