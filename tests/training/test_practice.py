"""The practice clinic sends nothing outward; exercises are done by the real
event and not by a near miss."""

from datetime import date, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from alerts import outbox
from alerts.services import notification_create
from automations.events import publish
from clinic.practice import practice_settings
from tests.alerts.conftest import fake_twilio_server
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory
from training.exercises import EXERCISES, completion, next_weekday

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_twilio(settings):
    yield from fake_twilio_server(settings)


def _practice(settings):
    for name, value in practice_settings(django_settings.VAR_DIR).items():
        setattr(settings, name, value)


def test_next_weekday_is_strictly_after():
    wednesday = date(2026, 3, 18)
    assert next_weekday(wednesday, 1) == date(2026, 3, 24)
    assert next_weekday(date(2026, 3, 17), 1) == date(2026, 3, 24)


def _booked(user, *, given="Maria", family="Lopez", type_name="Follow-up", day):
    patient = PatientFactory(given_name=given, family_name=family)
    start = timezone.make_aware(datetime(day.year, day.month, day.day, 10))
    visit = AppointmentFactory(
        patient=patient,
        start=start,
        appointment_type=AppointmentTypeFactory(name=f"{type_name} {patient.pk}"),
    )
    publish("appointment.booked", subject=visit, actor=user)
    return visit


def test_booking_exercise_is_done_by_the_real_event_not_a_near_miss(make_user):
    trainee, other = make_user("Front desk"), make_user("Front desk")
    since = timezone.now() - timedelta(minutes=1)
    tuesday = next_weekday(timezone.localdate(since), 1)
    exercise = EXERCISES["book-follow-up"]

    _booked(trainee, given="Marta", day=tuesday)  # another patient
    _booked(trainee, day=tuesday + timedelta(days=1))  # another day
    _booked(trainee, type_name="New patient", day=tuesday)  # another type
    _booked(other, day=tuesday)  # another trainee
    assert completion(exercise=exercise, user=trainee, since=since) is None

    _booked(trainee, day=tuesday)
    done = completion(exercise=exercise, user=trainee, since=since)
    assert done is not None and done.actor == trainee


def test_practice_mode_sends_no_text_while_exercises_run(settings, fake_twilio):
    _practice(settings)
    patient = PatientFactory(
        phone_mobile="+15551230009", sms_consent=True, sms_consent_method="verbal"
    )
    notification_create(
        patient=patient,
        channel="sms",
        body="Practice reminder",
        scheduled_for=timezone.now() - timedelta(seconds=1),
    )
    assert outbox.notifications_send_due() == 1
    assert fake_twilio.requests == 0
    assert fake_twilio.messages == []


def test_practice_settings_switch_every_outbound_edge(settings):
    _practice(settings)
    assert settings.SMS_BACKEND == "console"
    assert settings.EMAIL_BACKEND.endswith("console.EmailBackend")
    assert settings.CLEARINGHOUSE_BACKEND == "folder"
    assert "practice" in str(settings.CLEARINGHOUSE_DIR)
