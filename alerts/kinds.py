"""The kinds of staff alerts and tasks: how urgent, and where they escalate.

Each app adds the kinds it raises here (one line each).
"""

from dataclasses import dataclass

from clinic.permissions import ADMINISTRATOR, BILLING, CLINICIAN, FRONT_DESK, NURSE


@dataclass(frozen=True)
class Kind:
    label: str
    priority: int  # StaffAlert.Priority value
    # An alert of this kind still open (not acknowledged) after this many minutes
    # goes once to ``escalate_to``; None: never escalates.
    escalate_after_minutes: int | None = None
    escalate_to: str | None = None


KINDS: dict[str, Kind] = {
    "task": Kind("Task", 20),
    "patient_reply": Kind("Patient reply", 20),
    "callback_request": Kind("Call-back request", 30, 120, ADMINISTRATOR),
    "message_failed": Kind("Message not delivered", 20),
    "no_show_follow_up": Kind("No-show follow-up", 20),
    "eligibility_failed": Kind("Insurance check failed", 30),
    "dose_overdue": Kind("Dose overdue", 40, 30, ADMINISTRATOR),
    "critical_result": Kind("Critical result", 40, 15, CLINICIAN),
    "result_to_review": Kind("Result to review", 20),
    "claim_denied": Kind("Claim denied", 20),
    "claim_rejected": Kind("Claim rejected", 20),
    "automation": Kind("Automation alert", 30),
    "password_spraying": Kind("Failed log-ins across accounts", 40),
}

# Roles an alert may be assigned to (and escalate to).
ASSIGNABLE_ROLES = [FRONT_DESK, NURSE, CLINICIAN, BILLING, ADMINISTRATOR]


def kind_of(name: str) -> Kind:
    return KINDS.get(name, Kind(name.replace("_", " ").capitalize(), 20))
