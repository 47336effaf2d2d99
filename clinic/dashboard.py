"""The home page's "my work today" panels, by role.

A panel is a function ``(request) -> Panel | None``. Each app adds its panels to
``PANELS`` for the roles that need them (the schedule for the front desk, doses due
for nurses, ...).
"""

from django.utils import timezone
from django.utils.module_loading import import_string

from clinic import selectors
from clinic.panels import Panel
from clinic.permissions import (
    ADMINISTRATOR,
    BILLING,
    CLINICIAN,
    FRONT_DESK,
    NURSE,
    ROLE_DESCRIPTIONS,
    role_of,
)


def my_shift(request) -> Panel:
    user = request.user
    profile = getattr(user, "profile", None)
    role = role_of(user)
    return Panel(
        title="Today",
        template="clinic/panels/_my_shift.html",
        context={
            "today": timezone.localdate(),
            "role": role,
            "role_description": ROLE_DESCRIPTIONS.get(role, ""),
            "location": profile.default_location if profile else None,
        },
    )


def staff_overview(request) -> Panel:
    return Panel(
        title="Staff accounts",
        template="clinic/panels/_staff_overview.html",
        context={"counts": selectors.staff_counts()},
    )


def audit(request) -> Panel:
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return Panel(
        title="Audit",
        template="clinic/panels/_audit.html",
        context={
            "access_today": selectors.access_log_count_since(since=today),
        },
    )


COMMON = ["clinic.dashboard.my_shift"]

PANELS: dict[str, list[str]] = {
    FRONT_DESK: [
        *COMMON,
        "scheduling.dashboard.front_desk_today",
        "registration.dashboard.registrations_today",
        "selfservice.dashboard.intakes_to_review",
    ],
    NURSE: [
        *COMMON,
        "medications.dashboard.doses_now",
        "diagnostics.dashboard.specimens_to_collect",
    ],
    # The clinician's day: today's patients, results to review (critical first)
    # and orders still waiting, tasks.
    CLINICIAN: [
        *COMMON,
        "scheduling.dashboard.clinician_today",
        "diagnostics.dashboard.results_to_review",
        "careplans.dashboard.plans_overdue",
        "alerts.dashboard.my_tasks",
    ],
    BILLING: [*COMMON, "billing.dashboard.billing_today"],
    ADMINISTRATOR: [
        *COMMON,
        "clinic.dashboard.staff_overview",
        "clinic.dashboard.audit",
        "automations.dashboard.automations_today",
    ],
}


def panels_for(request) -> list[Panel]:
    role = role_of(request.user)
    panels = []
    for path in PANELS.get(role, COMMON):
        panel = import_string(path)(request)
        if panel is not None:
            panels.append(panel)
    return panels
