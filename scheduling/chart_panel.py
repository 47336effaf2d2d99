"""The appointments panel of a patient's chart (the chart page includes it).

Usage in the chart view: ``context["scheduling_panel"] = chart_panel(patient=...,
user=request.user)`` and ``{% include "scheduling/partials/_chart_panel.html" with
panel=scheduling_panel %}``. Three queries, whatever the patient's history.
"""

from django.urls import reverse
from django.utils.http import urlencode

from clinic.panels import Panel
from scheduling.selectors import patient_appointments


def chart_panel(*, patient, user) -> dict:
    if not user.has_perm("scheduling.view_appointment"):
        return {"visible": False}
    data = patient_appointments(patient=patient)
    can_book = user.has_perm("scheduling.add_appointment")
    find_url = reverse("scheduling:find") + "?" + urlencode({"patient": patient.mrn})
    return {
        "visible": True,
        **data,
        "can_book": can_book,
        "find_url": find_url if can_book else "",
    }


def chart_provider(request, patient):
    """The appointments panel in registration.chart_panel.CHART_PANELS."""
    from django.utils.translation import gettext as _

    context = chart_panel(patient=patient, user=request.user)
    if not context["visible"]:
        return None
    return Panel(
        key="appointments",
        title=_("Appointments"),
        template="scheduling/partials/_chart_panel.html",
        context=context,
    )
