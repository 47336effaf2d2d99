"""The kinds of staff alerts and tasks: how urgent, and where they escalate.

Each app adds the kinds it raises here (one line each).
"""

from collections.abc import Callable
from dataclasses import dataclass

from alerts import hooks, targets
from clinic.permissions import ADMINISTRATOR, BILLING, CLINICIAN, FRONT_DESK, NURSE


@dataclass(frozen=True)
class Kind:
    label: str
    priority: int  # StaffAlert.Priority value
    # An alert of this kind still open (not acknowledged) after this many minutes
    # goes once to ``escalate_to``; None: never escalates.
    escalate_after_minutes: int | None = None
    escalate_to: str | None = None
    # Who else may read its title where the patient is shown (the chart header):
    # the roles holding this permission (they see what it is about on its own
    # page). None: only the user or role it is for.
    view_permission: str | None = None
    # Where the alert leads (alerts.targets): (alert) -> URL of its record's page.
    target: Callable | None = targets.subject_or_chart


_MESSAGES = "alerts.view_notification"
_RESULTS = "diagnostics.view_results"
_CLAIMS = "billing.view_claim"

KINDS: dict[str, Kind] = {
    "task": Kind("Task", 20),
    "patient_reply": Kind(
        "Patient reply", 20, view_permission=_MESSAGES, target=targets.patient_messages
    ),
    "callback_request": Kind(
        "Call-back request",
        30,
        120,
        ADMINISTRATOR,
        view_permission=_MESSAGES,
        target=targets.patient_messages,
    ),
    "message_failed": Kind(
        "Message not delivered",
        20,
        view_permission=_MESSAGES,
        target=targets.message_resend,
    ),
    "no_show_follow_up": Kind(
        "No-show follow-up",
        20,
        view_permission="scheduling.view_appointment",
        target=targets.rebook,
    ),
    "cancelled_by_text": Kind(
        "Visit cancelled by text",
        20,
        view_permission="scheduling.view_appointment",
        target=targets.rebook,
    ),
    "eligibility_failed": Kind(
        "Insurance check failed",
        30,
        view_permission="registration.view_coverage",
        target=targets.coverage,
    ),
    "dose_overdue": Kind(
        "Dose overdue",
        40,
        30,
        ADMINISTRATOR,
        view_permission="medications.view_scheduleddose",
        target=targets.dose_give,
    ),
    "critical_result": Kind(
        "Critical result",
        40,
        15,
        CLINICIAN,
        view_permission=_RESULTS,
        target=targets.observation_acknowledge,
    ),
    "result_to_review": Kind(
        "Result to review", 20, view_permission=_RESULTS, target=targets.order_review
    ),
    "claim_denied": Kind(
        "Claim denied", 20, view_permission=_CLAIMS, target=targets.claim
    ),
    "claim_rejected": Kind(
        "Claim rejected", 20, view_permission=_CLAIMS, target=targets.claim
    ),
    "automation": Kind("Automation alert", 30),
    "break_glass": Kind(
        "Restricted record opened", 30, target=targets.break_glass_review
    ),
    "password_spraying": Kind(
        "Failed log-ins across accounts", 40, target=targets.access_log
    ),
}


def target_of(alert) -> str:
    """The URL an alert leads to ("" when it has none: a task about no record)."""
    kind = kind_of(alert.kind)
    return (kind.target(alert) or "") if kind.target else ""


# Roles an alert may be assigned to (and escalate to).
ASSIGNABLE_ROLES = [FRONT_DESK, NURSE, CLINICIAN, BILLING, ADMINISTRATOR]


def kind_of(name: str) -> Kind:
    return KINDS.get(name, Kind(name.replace("_", " ").capitalize(), 20))


def alerts_shown(alerts, *, user) -> list:
    """Alerts as a list shows them to ``user``: each with its kind's label and its
    target, and ``patient_hidden`` set where the patient is restricted and not
    granted to the user."""
    alerts = list(alerts)
    for alert in alerts:
        alert.kind_label = kind_of(alert.kind).label
        alert.target_url = target_of(alert)
    hooks.patients_hide(alerts, user=user)
    return alerts
