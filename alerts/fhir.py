"""Messages and staff tasks as FHIR R4: Communication and Task (US Core has no
profile for either).

A Communication is either a message the clinic sent (an outbox row, id
``sent-<pk>``) or a text a patient sent in (id ``received-<pk>``), so both
tables share one id space. Bodies are shown: they are the patient's own
messages, and a client reads them only under a ``Communication`` scope. A text
from a number no patient has has no subject; its sender is the phone number.

A Task is a staff alert or task, except the security ones (restricted records
opened, password spraying), which concern staff, not patients' care.
"""

from django.contrib.contenttypes.models import ContentType

from alerts.kinds import kind_of
from alerts.models import InboundMessage, Notification, StaffAlert
from clinic.fhir_datatypes import (
    clean,
    clinic_identifier,
    clinic_system,
    codeable,
    instant,
    practitioner,
    reference,
)

CATEGORY = "http://terminology.hl7.org/CodeSystem/communication-category"
MEDIUM = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode"
SENT_PREFIX, RECEIVED_PREFIX = "sent-", "received-"
SECURITY_KINDS = ["break_glass", "password_spraying"]

# Outbox statuses as FHIR's; failed, undeliverable, cancelled, skipped: not-done.
COMMUNICATION_STATUS = {"pending": "preparation", "sending": "in-progress"} | (
    dict.fromkeys(["sent", "delivered"], "completed")
)
MEDIA = {
    Notification.Channel.SMS: ("SMSWRIT", "SMS message"),
    Notification.Channel.EMAIL: ("EMAILWRIT", "email"),
}
TASK_STATUS = {"open": "requested", "acknowledged": "accepted", "resolved": "completed"}
# Low and normal are routine.
TASK_PRIORITY = {StaffAlert.Priority.HIGH: "urgent", StaffAlert.Priority.URGENT: "stat"}
# What a task may be about, as FHIR resources ("app.model" of its subject).
FOCUS_TYPES = {
    "diagnostics.diagnosticorder": "ServiceRequest",
    "diagnostics.observation": "Observation",
    "medications.medicationorder": "MedicationRequest",
    "medications.scheduleddose": "MedicationAdministration",
    "scheduling.appointment": "Appointment",
    "registration.coverage": "Coverage",
    "alerts.notification": "Communication",
    "alerts.inboundmessage": "Communication",
}
ID_PREFIXES = {
    "alerts.notification": SENT_PREFIX,
    "alerts.inboundmessage": RECEIVED_PREFIX,
}


def _medium(channel: str) -> list:
    code, display = MEDIA.get(channel, (None, None))
    return [codeable(MEDIUM, code, display)]


def notification_to_fhir(message: Notification) -> dict:
    """A message the clinic sent (or is about to, or could not): ``completed``
    once handed to the provider, ``not-done`` with the reason when it failed,
    was cancelled or skipped."""
    status = COMMUNICATION_STATUS.get(message.status, "not-done")
    reason = message.last_error or message.get_status_display()
    return clean(
        {
            "resourceType": "Communication",
            "id": f"{SENT_PREFIX}{message.pk}",
            "identifier": [
                clinic_identifier("message-id", message.provider_message_id)
            ],
            "status": status,
            "statusReason": codeable(None, None, text=str(reason))
            if status == "not-done"
            else None,
            "category": [
                codeable(CATEGORY, "reminder", "Reminder")
                if message.rule_id
                else codeable(CATEGORY, "notification", "Notification")
            ],
            "medium": _medium(message.channel),
            "subject": reference("Patient", message.patient_id),
            "topic": codeable(None, None, text=message.subject),
            "about": [reference("Appointment", message.appointment_id)],
            "sent": instant(message.sent_at),
            "received": instant(message.delivered_at),
            "recipient": [reference("Patient", message.patient_id)],
            "sender": practitioner(message.created_by),
            "payload": [{"contentString": message.body}],
        }
    )


def inbound_to_fhir(message: InboundMessage) -> dict:
    """A text a patient sent in: from the patient when the number matched one,
    else from the number alone (no subject); the automatic answer is a note."""
    sender = reference("Patient", message.patient_id) or {
        "identifier": {"system": "urn:ietf:rfc:3966", "value": message.from_number},
        "display": message.from_number,
    }
    return clean(
        {
            "resourceType": "Communication",
            "id": f"{RECEIVED_PREFIX}{message.pk}",
            "identifier": [clinic_identifier("message-id", message.provider_id)],
            "status": "completed",
            "medium": _medium(Notification.Channel.SMS),
            "subject": reference("Patient", message.patient_id),
            "received": instant(message.received_at),
            "sender": sender,
            "payload": [{"contentString": message.body}],
            "note": [
                {"text": str(message.get_action_display())},
                {"text": f"Answered: {message.reply}" if message.reply else None},
            ],
        }
    )


def _focus(alert: StaffAlert) -> dict | None:
    if alert.subject_type_id is None:
        return None
    kind = ContentType.objects.get_for_id(alert.subject_type_id)
    name = f"{kind.app_label}.{kind.model}"
    if name not in FOCUS_TYPES:
        return None
    prefix = ID_PREFIXES.get(name, "")
    return reference(FOCUS_TYPES[name], f"{prefix}{alert.subject_id}")


def _owner(alert: StaffAlert) -> dict | None:
    """The person it is for, else the role (a name, not a resource)."""
    return practitioner(alert.assigned_user) or {"display": alert.assigned_role}


def alert_to_fhir(alert: StaffAlert) -> dict:
    """A staff alert or task as a Task for its owner: requested while open,
    accepted once acknowledged, completed when resolved (with the note)."""
    modified = alert.resolved_at or alert.acknowledged_at or alert.created_at
    return clean(
        {
            "resourceType": "Task",
            "id": str(alert.pk),
            "status": TASK_STATUS[alert.status],
            "intent": "order",
            "priority": TASK_PRIORITY.get(alert.priority, "routine"),
            "code": codeable(
                clinic_system("task-kind"), alert.kind, kind_of(alert.kind).label
            ),
            "description": alert.title,
            "focus": _focus(alert),
            "for": reference("Patient", alert.patient_id),
            "authoredOn": instant(alert.created_at),
            "lastModified": instant(modified),
            "owner": _owner(alert),
            "restriction": {"period": {"end": instant(alert.due_at)}},
            "note": [{"text": text} for text in (alert.message, alert.note) if text],
        }
    )
