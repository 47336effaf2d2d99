"""The patient chart's panels, one provider per app.

A provider is a function ``(request, patient) -> Panel | None`` listed in
``CHART_PANELS``. A panel whose provider is still None (its app has not arrived)
shows "none yet". Later apps put their provider's dotted path in place of the None;
the chart template needs no change. A provider reads a bounded number of rows
(a few queries, whatever the size of the patient's record).

``CHART_ALERT_PROVIDERS`` lists functions ``(request, patient) -> list[str]`` whose
texts show in the chart header as open alerts (the alerts app adds one).
"""

from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from clinic.panels import Panel
from clinic.selectors import record_history
from registration import selectors

NONE_YET_TEMPLATE = "registration/chart/_none_yet.html"


def demographics(request, patient) -> Panel:
    return Panel(
        key="demographics",
        title=_("Demographics"),
        template="registration/chart/_demographics.html",
        context={"can_edit": request.user.has_perm("registration.change_patient")},
    )


def coverage(request, patient) -> Panel:
    coverages = selectors.patient_coverages(patient=patient)
    for item in coverages:
        item.status = selectors.eligibility_status_of(
            coverage=item, check=item.latest_check
        )
    user = request.user
    return Panel(
        key="coverage",
        title=_("Coverage and eligibility"),
        template="registration/chart/_coverage.html",
        context={
            "coverages": coverages,
            "can_add": user.has_perm("registration.add_coverage"),
            "can_verify": user.has_perm("registration.add_eligibilitycheck"),
        },
    )


def allergies(request, patient) -> Panel:
    return Panel(
        key="allergies",
        title=_("Allergies"),
        template="registration/chart/_allergies.html",
        context={
            "can_add": request.user.has_perm("registration.add_allergy"),
            "can_change": request.user.has_perm("registration.change_allergy"),
        },
    )


def contacts(request, patient) -> Panel:
    """The people who act for the patient, and each number on the chart with
    whether it may be texted and why."""
    current = list(selectors.patient_contacts(patient=patient))
    user = request.user
    return Panel(
        key="contacts",
        title=_("Contacts and texting"),
        template="registration/chart/_contacts.html",
        context={
            "contacts": current,
            "numbers": selectors.patient_numbers(patient=patient, contacts=current),
            "can_add": user.has_perm("registration.add_patientcontact"),
            "can_change": user.has_perm("registration.change_patientcontact"),
        },
    )


HISTORY_ROWS = 5


def history(request, patient) -> Panel:
    entries, total = record_history(obj=patient, limit=HISTORY_ROWS)
    return Panel(
        key="history",
        title=_("History"),
        template="registration/chart/_history.html",
        context={
            "entries": entries,
            "total": total,
            "history_url": reverse(
                "clinic:history",
                kwargs={
                    "app_label": "registration",
                    "model_name": "patient",
                    "pk": patient.pk,
                },
            ),
        },
        width=12,
    )


# (key, title, provider path or None while the app that fills it has not arrived)
CHART_PANELS: list[tuple[str, str, str | None]] = [
    ("demographics", _("Demographics"), "registration.chart_panel.demographics"),
    ("coverage", _("Coverage and eligibility"), "registration.chart_panel.coverage"),
    ("allergies", _("Allergies"), "registration.chart_panel.allergies"),
    ("contacts", _("Contacts and texting"), "registration.chart_panel.contacts"),
    ("appointments", _("Appointments"), "scheduling.chart_panel.chart_provider"),
    ("careplans", _("Problems and plans"), "careplans.chart_panel.chart_provider"),
    ("medications", _("Medications"), "medications.chart_panel.chart_provider"),
    (
        "home-medications",
        _("Home medications"),
        "medications.chart_panel.home_provider",
    ),
    ("tests", _("Tests"), "diagnostics.chart_panel.chart_provider"),
    ("claims", _("Claims"), "billing.chart_panel.chart_provider"),
    ("messages", _("Messages"), "alerts.chart_panel.messages_panel"),
    ("history", _("History"), "registration.chart_panel.history"),
]

CHART_ALERT_PROVIDERS: list[str] = ["alerts.chart_panel.open_alerts_for_chart"]


def chart_panels(request, patient) -> list[Panel]:
    panels = []
    for key, title, path in CHART_PANELS:
        if path is None:
            panels.append(Panel(key=key, title=title, template=NONE_YET_TEMPLATE))
            continue
        panel = import_string(path)(request, patient)
        if panel is not None:
            panels.append(panel)
    return panels


def chart_alerts(request, patient) -> list[str]:
    alerts = []
    for path in CHART_ALERT_PROVIDERS:
        alerts.extend(import_string(path)(request, patient))
    return alerts
