"""Preview: each message rendered for a sample patient, every language variant,
with its SMS segment count; the sample is chosen or the latest matching event."""

import pytest
from django.urls import reverse

from automations.models import Action, Condition
from automations.preview import CHOSEN, MATCHING_EVENT, NO_VISIT, automation_preview
from clinic.models import AccessLog
from scheduling import services as scheduling
from tests.alerts.factories import ReminderRuleFactory, ReminderVariantFactory
from tests.automations.factories import ActionFactory, AutomationFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import local, next_weekday

pytestmark = pytest.mark.django_db

LONG = "Hi {first_name}, see you at {location}. " + "Bring your card. " * 8


def _book(clinic, actor, patient, hour=10):
    return scheduling.appointment_book(
        patient=patient,
        appointment_type=clinic["type"],
        provider=clinic["provider"],
        location=clinic["location"],
        start=local(next_weekday(), hour),
        actor=actor,
    )


@pytest.fixture
def reminder(clinic):
    rule = ReminderRuleFactory(body=LONG)
    ReminderVariantFactory(
        rule=rule, language="es", body="Hola {first_name}, le esperamos en {location} ✓"
    )
    return Action.objects.get(message_rule=rule).automation


def test_each_language_variant_with_its_segments(clinic, admin_user, reminder):
    patient = PatientFactory(given_name="Ana", preferred_language="es-MX")
    visit = _book(clinic, admin_user, patient)
    preview = automation_preview(automation=reminder, visit=visit)
    assert (preview.patient, preview.visit, preview.source) == (patient, visit, CHOSEN)
    [message] = preview.messages
    location = clinic["location"].name
    english = (
        f"Hi Ana, see you at {location}. "
        + "Bring your card. " * 7
        + ("Bring your card.")
    )
    assert [
        (v.language, v.body, v.chosen, v.segments.encoding, v.segments.count)
        for v in message.variants
    ] == [
        ("", english, False, "GSM-7", 2),
        ("es", f"Hola Ana, le esperamos en {location} ✓", True, "UCS-2", 1),
    ]


def test_a_reminder_text_without_a_visit_says_so(clinic, reminder):
    patient = PatientFactory(given_name="Ana")
    preview = automation_preview(automation=reminder, patient=patient)
    assert (preview.visit, preview.messages[0].note, preview.messages[0].variants) == (
        None,
        NO_VISIT,
        [],
    )


def test_the_sample_is_the_latest_event_its_conditions_accept(clinic, admin_user):
    automation = AutomationFactory(trigger="appointment.booked", enabled=False)
    ActionFactory(
        automation=automation,
        kind="send_message",
        channel="email",
        role="",
        title="Welcome {patient}",
        body="Dear {patient_name}, see you {appointment_type}.",
    )
    spanish = PatientFactory(
        given_name="Ana", family_name="Ruiz", preferred_language="es"
    )
    english = PatientFactory(
        given_name="Bo", family_name="Lee", preferred_language="en"
    )
    _book(clinic, admin_user, spanish, hour=9)
    _book(clinic, admin_user, english, hour=11)

    latest = automation_preview(automation=automation)
    assert (latest.patient, latest.source) == (english, MATCHING_EVENT)
    [variant] = latest.messages[0].variants
    assert (variant.subject, variant.body, variant.segments) == (
        "Welcome Bo",
        "Dear Bo Lee, see you Follow-up.",
        None,
    )

    Condition.objects.create(
        automation=automation, field=Condition.Field.LANGUAGE, values=["es"]
    )
    matching = automation_preview(automation=automation)
    assert matching.patient == spanish
    assert matching.messages[0].variants[0].body == "Dear Ana Ruiz, see you Follow-up."


def test_the_preview_partial_for_a_chosen_visit_logs_the_look(
    clinic, admin_user, admin_client, reminder
):
    patient = PatientFactory(given_name="Ana", preferred_language="es")
    visit = _book(clinic, admin_user, patient)
    editor = admin_client.get(reverse("automations:edit", args=[reminder.pk]))
    assert b'id="automation-preview"' in editor.content
    assert not AccessLog.objects.filter(patient=patient).exists()

    response = admin_client.get(
        reverse("automations:preview", args=[reminder.pk]),
        {"mrn": patient.mrn, "visit": str(visit.pk)},
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content
    assert "Hola Ana, le esperamos en" in content
    assert "2 SMS segments</span>" in content
    assert "1 SMS segment</span>" in content
    assert (
        AccessLog.objects.filter(
            patient=patient, what="automation message preview"
        ).count()
        == 1
    )


def test_an_unknown_mrn_is_refused_with_a_message(admin_client, reminder):
    response = admin_client.get(
        reverse("automations:preview", args=[reminder.pk]), {"mrn": "NOPE1"}
    )
    assert response.status_code == 200
    assert "No patient has the MRN NOPE1." in response.content.decode()
