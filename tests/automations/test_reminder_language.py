"""One language per message (#16): a reminder is written wholly in the language of
the text chosen for the patient, words and dates alike, and the outbox says which."""

import re

import pytest
from django.urls import reverse

from alerts.models import Notification
from scheduling.services import appointment_book
from tests.alerts.factories import ReminderRuleFactory, ReminderVariantFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
    local,
    next_weekday,
    weekly_hours,
)

pytestmark = pytest.mark.django_db

ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufeff]")
ENGLISH = "Hi {first_name}, see you {weekday} {date} at {time}. {reply_instructions}"
SPANISH = "Hola {first_name}, le esperamos el {weekday} {date} a las {time}."


@pytest.fixture
def book(db):
    location = LocationFactory(code="main", name="Main Street")
    provider = ProviderFactory(name="Dr Adams")
    weekly_hours(provider, location)
    kind = AppointmentTypeFactory(name="Follow-up", duration_minutes=30)
    rule = ReminderRuleFactory(hours_before=24, body=ENGLISH)
    ReminderVariantFactory(rule=rule, language="es", body=SPANISH)

    def run(language: str, hour: int = 10) -> Notification:
        patient = PatientFactory(
            given_name="Rosa",
            phone_mobile="+15551230001",
            sms_consent=True,
            sms_consent_method="verbal",
            preferred_language=language,
        )
        appointment = appointment_book(
            patient=patient,
            appointment_type=kind,
            provider=provider,
            location=location,
            start=local(next_weekday(), hour),
            actor=None,
        )
        return appointment.notifications.get()

    return run


def test_a_patient_whose_language_has_no_text_gets_the_default_words_and_formats(
    book,
):
    message = book("ar")
    assert message.body.startswith("Hi Rosa, see you ")
    assert " at 10 a.m." in message.body and "Reply C to confirm" in message.body
    assert not ARABIC.search(message.body)
    assert message.language == "en"


def test_a_spanish_patient_gets_the_spanish_text_with_spanish_dates(book):
    message = book("es")
    assert message.body.startswith("Hola Rosa, le esperamos el ")
    assert message.body.endswith(" a las 10:00.")
    month = re.search(r"\d+ de (\w+) de \d{4}", message.body)
    assert month and month.group(1) in {
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
        "agosto", "septiembre", "octubre", "noviembre", "diciembre",
    }  # fmt: skip
    assert message.language == "es"


def test_spanish_typed_as_free_text_gets_the_spanish_template(book):
    message = book("Spanish")
    assert message.body.startswith("Hola Rosa, le esperamos el ")
    assert message.language == "es"


def test_the_outbox_shows_the_language_each_message_was_written_in(book, admin_client):
    spanish, arabic = book("es"), book("ar", hour=11)
    page = admin_client.get(reverse("alerts:outbox")).content.decode()
    for message, name in ((spanish, "Spanish"), (arabic, "English")):
        row = page[page.index(f'id="notification-{message.pk}"') :]
        row = row[: row.index("</tr>")]
        assert f'data-language="{message.language}">{name}</td>' in row
