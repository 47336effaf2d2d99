from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from clinic.permissions import role_of

# (label, URL name, permission): the navigation shows what the user's role can use.
# A page whose app has not arrived yet simply does not resolve and is left out.
NAVIGATION = [
    (_("Home"), "clinic:home", None),
    (_("Patients"), "registration:patient-list", "registration.view_patient"),
    (_("Schedule"), "scheduling:day", "scheduling.view_appointment"),
    (_("MAR"), "medications:mar", "medications.view_scheduleddose"),
    (_("Results"), "diagnostics:order-list", "diagnostics.view_diagnosticorder"),
    (_("Claims"), "billing:claim-list", "billing.view_claim"),
    (_("Reports"), "clinic:reports", "clinic.view_reports"),
    (_("Staff"), "clinic:staff-list", "clinic.manage_staff"),
    (_("API clients"), "smart:client-list", "smart.view_backendclient"),
    (_("Automations"), "automations:list", "automations.view_automation"),
]


def _navigation(request) -> list[dict]:
    items = []
    for label, url_name, perm in NAVIGATION:
        if perm and not request.user.has_perm(perm):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return items


def shell(request) -> dict:
    """What base.html needs on every page: clinic, user, role, navigation, timers."""
    context = {
        "clinic_name": settings.CLINIC_NAME,
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    try:
        patient_search_url = (
            reverse("registration:patient-list")
            if user.has_perm("registration.view_patient")
            else None
        )
    except NoReverseMatch:
        patient_search_url = None
    context.update(
        {
            "user_role": role_of(user),
            "navigation": _navigation(request),
            "patient_search_url": patient_search_url,
        }
    )
    return context
