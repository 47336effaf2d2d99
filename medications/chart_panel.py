"""The medications panel of the patient chart (the registration app includes it)."""

from django.utils.translation import gettext as _

from clinic.panels import Panel
from medications import selectors

TEMPLATE = "medications/partials/_chart_panel.html"


def chart_panel(*, patient, user) -> dict:
    """Context for ``medications/partials/_chart_panel.html``: active and held
    orders and the ten latest administrations (three queries), or ``visible: False``
    for a role that may not see medications."""
    if not user.has_perm("medications.view_medicationorder"):
        return {"visible": False, "template": TEMPLATE}
    return {
        "visible": True,
        "template": TEMPLATE,
        "patient": patient,
        "orders": selectors.patient_orders(patient=patient),
        "administrations": selectors.recent_administrations(patient=patient, limit=10),
        "can_order": user.has_perm("medications.add_medicationorder"),
        "can_view_mar": user.has_perm("medications.view_scheduleddose"),
    }


def chart_provider(request, patient):
    """The panel in registration.chart_panel.CHART_PANELS; None hides it from roles that
    may not see medications."""
    context = chart_panel(patient=patient, user=request.user)
    if not context["visible"]:
        return None
    return Panel(
        key="medications", title=_("Medications"), template=TEMPLATE, context=context
    )


HOME_TEMPLATE = "medications/partials/_home_panel.html"


def home_provider(request, patient):
    """The home medication list and when it was last reviewed with the patient."""
    user = request.user
    if not user.has_perm("medications.view_homemedication"):
        return None
    return Panel(
        key="home-medications",
        title=_("Home medications"),
        template=HOME_TEMPLATE,
        context={
            "patient": patient,
            "homes": selectors.home_medications(patient=patient),
            "last_review": selectors.reconciliation_last(patient=patient),
            "review": selectors.reconciliation_open(patient=patient),
        },
    )
