"""Messages and staff tasks as FHIR R4: Communication and Task (US Core has no
profile for either).

A Communication is a message the clinic sent (an outbox row, id ``<pk>``) or a
text a patient sent in (id ``received-<pk>``): one type served from two tables
(``ResourceType.parts``, paged as one by ``fhir/tables.py``). Bodies are shown:
they are the patient's own messages, and a client reads them only under a
``Communication`` scope.

A text from a number no patient has is withheld: nothing says whose it is (a
wrong number, or a patient writing from a phone the clinic does not know, who
may be a restricted one), so the API could neither log a read against a patient
nor keep a restricted patient's words back; the front desk matches it in the
inbox first. Its mapper still names the number as the sender.

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
from clinic.fhir_declaration import ResourceType, SearchParam
from clinic.fhir_search import absent, constant_token, patient_param, status_token

CATEGORY = "http://terminology.hl7.org/CodeSystem/communication-category"
EVENT_STATUS = "http://hl7.org/fhir/event-status"
MEDIUM = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode"
RECEIVED_PREFIX = "received-"
TASK_KIND = clinic_system("task-kind")
SECURITY_KINDS = ["break_glass", "password_spraying"]

# Outbox statuses as FHIR's; failed, undeliverable, cancelled, skipped: not-done.
COMMUNICATION_STATUS = {"pending": "preparation", "sending": "in-progress"} | (
    dict.fromkeys(["sent", "delivered"], "completed")
)
REMINDER = codeable(CATEGORY, "reminder", "Reminder")
NOTIFICATION = codeable(CATEGORY, "notification", "Notification")
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
}


def communication_status(stored: str) -> str:
    return COMMUNICATION_STATUS.get(stored, "not-done")


def task_status(stored: str) -> str:
    return TASK_STATUS[stored]


def _medium(channel: str) -> list:
    code, display = MEDIA.get(channel, (None, None))
    return [codeable(MEDIUM, code, display)]


def notification_to_fhir(message: Notification) -> dict:
    """A message the clinic sent (or is about to, or could not): ``completed``
    once handed to the provider, ``not-done`` with the reason when it failed,
    was cancelled or skipped."""
    status = communication_status(message.status)
    reason = message.last_error or message.get_status_display()
    return clean(
        {
            "resourceType": "Communication",
            "id": str(message.pk),
            "identifier": [
                clinic_identifier("message-id", message.provider_message_id)
            ],
            "status": status,
            "statusReason": codeable(None, None, text=str(reason))
            if status == "not-done"
            else None,
            "category": [REMINDER if message.rule_id else NOTIFICATION],
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
    resource_type = FOCUS_TYPES.get(f"{kind.app_label}.{kind.model}")
    return reference(resource_type, alert.subject_id) if resource_type else None


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
            "status": task_status(alert.status),
            "intent": "order",
            "priority": TASK_PRIORITY.get(alert.priority, "routine"),
            "code": codeable(TASK_KIND, alert.kind, kind_of(alert.kind).label),
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


def _category(rows, modifier, tokens):
    """``reminder``: sent by a reminder rule; ``notification``: any other."""
    codes = {code for system, code in tokens if system in (None, CATEGORY)}
    if codes >= {"reminder", "notification"}:
        return rows
    if codes & {"reminder", "notification"}:
        return rows.filter(rule__isnull="notification" in codes)
    return rows.none()


RECEIVED = ResourceType(
    name="Communication",
    model=InboundMessage,
    queryset=lambda: InboundMessage.objects.filter(patient__isnull=False),
    to_fhir=inbound_to_fhir,
    patient_path="patient",
    id_prefix=RECEIVED_PREFIX,
    search=(
        patient_param(expression="Communication.subject"),
        patient_param(name="subject"),
        constant_token("status", EVENT_STATUS, "completed"),
        absent("category", "token"),
        absent("sent", "date"),
        SearchParam.date("received", "received_at"),
    ),
    includes=("patient", "subject"),
)

RESOURCES = (
    ResourceType(
        name="Communication",
        model=Notification,
        queryset=lambda: Notification.objects.select_related("created_by__provider"),
        to_fhir=notification_to_fhir,
        patient_path="patient",
        search=(
            patient_param(expression="Communication.subject"),
            patient_param(name="subject"),
            status_token(
                stored=Notification.Status.values, to_code=communication_status
            ),
            SearchParam.token(
                "category",
                "rule",
                apply=_category,
                documentation="reminder (sent by a reminder rule) or notification.",
            ),
            SearchParam.date("sent", "sent_at"),
            SearchParam.date("received", "delivered_at"),
        ),
        includes=("patient", "subject"),
        parts=(RECEIVED,),
    ),
    ResourceType(
        name="Task",
        model=StaffAlert,
        queryset=lambda: StaffAlert.objects.exclude(
            kind__in=SECURITY_KINDS
        ).select_related("assigned_user__provider"),
        to_fhir=alert_to_fhir,
        patient_path="patient",
        search=(
            patient_param(expression="Task.for"),
            SearchParam.reference(
                "owner", "assigned_user__provider", target="Practitioner"
            ),
            status_token(stored=StaffAlert.Status.values, to_code=task_status),
            SearchParam.token("code", "kind", systems={TASK_KIND: "kind"}),
        ),
        includes=("patient",),
    ),
)
