"""Messages sent and received as Communication; staff tasks and alerts as Task."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.fhir import alert_to_fhir, inbound_to_fhir, notification_to_fhir
from alerts.models import Notification
from alerts.replies import inbound_sms_handle
from alerts.services import (
    alert_acknowledge,
    alert_raise,
    alert_resolve,
    notification_create,
)
from clinic.fhir_datatypes import instant, practitioner
from clinic.permissions import NURSE
from diagnostics.models import TestDefinition
from diagnostics.services import results_enter
from tests.alerts.factories import ReminderRuleFactory
from tests.diagnostics.factories import make_order
from tests.fhir.valid import assert_valid
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient():
    return PatientFactory(phone_mobile="+15555550123", email="ann@example.org")


def _message(patient, **fields):
    return notification_create(
        patient=patient,
        channel=fields.pop("channel", "sms"),
        body=fields.pop("body", "Your visit is tomorrow at 9:00."),
        scheduled_for=timezone.now(),
        **fields,
    )


def _text_in(provider_id: str, from_number: str, body: str):
    return inbound_sms_handle(
        provider_id=provider_id,
        from_number=from_number,
        to_number="+15555550000",
        body=body,
        clinic="Riverside",
    )


def test_a_sent_text_is_a_completed_communication_with_its_body(patient):
    message = _message(patient)
    message.status = Notification.Status.DELIVERED
    message.provider_message_id = "SM123"
    message.sent_at = timezone.now()
    message.delivered_at = message.sent_at + timedelta(seconds=4)

    resource = assert_valid(notification_to_fhir(message))

    assert resource["id"] == str(message.pk)
    assert resource["status"] == "completed"
    assert resource["category"][0]["coding"][0]["code"] == "notification"
    assert resource["medium"][0]["coding"][0]["code"] == "SMSWRIT"
    assert resource["subject"] == {"reference": f"Patient/{patient.pk}"}
    assert resource["recipient"] == [{"reference": f"Patient/{patient.pk}"}]
    assert resource["payload"] == [{"contentString": "Your visit is tomorrow at 9:00."}]
    assert resource["identifier"][0]["value"] == "SM123"
    assert {"sent", "received"} <= set(resource)


def test_a_pending_reminder_email_is_in_preparation(patient):
    message = _message(
        patient, channel="email", subject="Tomorrow", rule=ReminderRuleFactory()
    )
    resource = assert_valid(notification_to_fhir(message))
    assert resource["status"] == "preparation"
    assert resource["category"][0]["coding"][0]["code"] == "reminder"
    assert resource["medium"][0]["coding"][0]["code"] == "EMAILWRIT"
    assert resource["topic"] == {"text": "Tomorrow"}
    assert "sent" not in resource


def test_a_failed_message_is_not_done_with_the_providers_reason(patient):
    message = _message(patient)
    message.status, message.last_error = "undeliverable", "21614: not a mobile number"
    resource = assert_valid(notification_to_fhir(message))
    assert resource["status"] == "not-done"
    assert resource["statusReason"] == {"text": "21614: not a mobile number"}


def test_a_reply_from_a_patient_is_received_from_them(patient):
    inbound = _text_in("SMin1", "+15555550123", "Can I come at 10 instead?")
    resource = assert_valid(inbound_to_fhir(inbound))
    assert resource["id"] == f"received-{inbound.pk}"
    assert resource["status"] == "completed"
    assert resource["subject"] == {"reference": f"Patient/{patient.pk}"}
    assert resource["sender"] == {"reference": f"Patient/{patient.pk}"}
    assert resource["payload"] == [{"contentString": "Can I come at 10 instead?"}]
    assert resource["note"][0] == {"text": "Passed to staff"}
    assert resource["note"][1]["text"].startswith("Answered: ")


def test_a_text_from_an_unknown_number_has_no_subject_and_names_the_number():
    inbound = _text_in("SMin2", "+15555559999", "who is this")
    resource = assert_valid(inbound_to_fhir(inbound))
    assert "subject" not in resource
    assert resource["sender"] == {
        "identifier": {"system": "urn:ietf:rfc:3966", "value": "+15555559999"},
        "display": "+15555559999",
    }


def test_a_task_for_a_role_is_requested_then_accepted_then_completed(make_user):
    patient = PatientFactory()
    task = alert_raise(
        kind="task",
        title="Call about the prior authorisation",
        message="Payer wants the notes.",
        patient=patient,
        role=NURSE,
        due_at=timezone.now() + timedelta(hours=4),
    )
    resource = assert_valid(alert_to_fhir(task))
    assert (resource["status"], resource["intent"]) == ("requested", "order")
    assert resource["owner"] == {"display": NURSE}
    assert resource["for"] == {"reference": f"Patient/{patient.pk}"}
    assert resource["description"] == "Call about the prior authorisation"
    assert resource["code"]["coding"][0]["code"] == "task"
    assert resource["priority"] == "routine"
    assert resource["restriction"]["period"]["end"]
    assert "focus" not in resource

    nurse = make_user("Nurse")
    accepted = assert_valid(alert_to_fhir(alert_acknowledge(alert=task, actor=nurse)))
    assert accepted["status"] == "accepted"
    done = alert_resolve(alert=task, actor=nurse, note="Faxed the notes.")
    resource = assert_valid(alert_to_fhir(done))
    assert resource["status"] == "completed"
    assert resource["note"][-1] == {"text": "Faxed the notes."}
    assert resource["lastModified"] == instant(done.resolved_at)


def test_a_critical_result_alert_is_a_stat_task_focused_on_the_result(make_user):
    order = make_order(panels=(), tests=("K",))
    [potassium] = results_enter(
        order=order,
        values={TestDefinition.objects.get(code="K"): "2.1"},
        actor=make_user("Nurse"),
    )
    alert = order.patient.staff_alerts.get(kind="critical_result")

    resource = assert_valid(alert_to_fhir(alert))

    assert resource["priority"] == "stat"
    assert resource["focus"] == {"reference": f"Observation/{potassium.pk}"}
    assert resource["owner"] == practitioner(order.ordering_clinician)
