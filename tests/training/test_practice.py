"""The practice clinic sends nothing outward; exercises are done by the real
event and not by a near miss."""

from datetime import date, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from alerts import outbox
from alerts.services import notification_create
from automations.events import publish
from automations.models import Event
from automations.services import (
    automation_copy,
    automation_dry_run,
    automation_enable,
)
from automations.starters import STARTERS
from clinic.practice import practice_settings
from diagnostics.models import Observation
from diagnostics.services import critical_acknowledge
from medications.models import ScheduledDose
from registration.services import patient_register
from tests.alerts.conftest import fake_twilio_server
from tests.diagnostics.factories import make_order
from tests.medications.factories import MedicationOrderFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory
from training.exercises import EXERCISES, completion, next_weekday
from training.models import PracticeMessage

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


def test_practice_mode_sends_no_text_while_exercises_run(
    settings, fake_twilio, client, make_user
):
    assert settings.SMS_BACKEND == "twilio"  # the fake answers as Twilio would
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
    admin = make_user("Administrator")
    looked = automation_copy(source=_starter("new-patient-welcome"), actor=admin)
    automation_dry_run(automation=looked, actor=admin)
    automation_enable(automation=looked, actor=admin)
    patient_register(
        data={
            "given_name": "Ivy",
            "family_name": "Moss",
            "birth_date": date(1990, 5, 1),
            "sex_at_birth": "F",
            "phone_mobile": "+12025550188",
            "sms_consent": True,
            "sms_consent_method": "verbal",
        },
        actor=admin,
    )
    send_mail("Weekly summary", "Figures inside", "a@clinic.test", ["boss@x.test"])
    outbox.notifications_send_due()

    assert fake_twilio.requests == 0
    assert fake_twilio.messages == []
    kept = list(PracticeMessage.objects.values_list("channel", "to", "body"))
    assert ("sms", "+15551230009", "Practice reminder") in kept
    assert ("email", "boss@x.test", "Figures inside") in kept
    client.force_login(admin)
    url = reverse("training:practice-outbox")
    page = client.get(url, {"q": "practice reminder"})
    assert b"+15551230009" in page.content
    assert b"boss@x.test" not in page.content
    assert b"boss@x.test" in client.get(url, {"channel": "email"}).content
    assert client.get(url, {"channel": "<bad>", "page": "x"}).status_code in (200, 404)


def test_the_practice_outbox_is_for_administrators(client, make_user):
    url = reverse("training:practice-outbox")
    client.force_login(make_user("Nurse"))
    assert client.get(url).status_code == 403
    client.force_login(make_user("Administrator"))
    page = client.get(url, {"channel": "<script>", "q": "x" * 500})
    assert page.status_code == 200
    assert b"Select a valid choice" in page.content
    page = client.get(url, {"q": "x" * 500})
    assert b"No messages match." in page.content


def test_practice_settings_switch_every_outbound_edge(settings):
    _practice(settings)
    assert settings.SMS_BACKEND == "training.practice_outbox.PracticeSMS"
    assert settings.EMAIL_BACKEND == "training.practice_outbox.PracticeEmailBackend"
    assert settings.CLEARINGHOUSE_BACKEND == "folder"
    assert "practice" in str(settings.CLEARINGHOUSE_DIR)


def _starter(slug):
    return next(s for s in STARTERS if s["slug"] == slug)


def test_administrator_exercise_needs_a_starter_and_a_dry_run_first(make_user):
    admin = make_user("Administrator")
    since = timezone.now() - timedelta(minutes=1)
    exercise = EXERCISES["automation-from-starter"]

    no_look = automation_copy(source=_starter("denied-claim-task"), actor=admin)
    automation_enable(automation=no_look, actor=admin)  # no dry run
    drafted = automation_copy(source=_starter("no-show-follow-up"), actor=admin)
    automation_dry_run(automation=drafted, actor=make_user("Administrator"))
    automation_enable(automation=drafted, actor=admin)  # someone else looked
    assert completion(exercise=exercise, user=admin, since=since) is None

    looked = automation_copy(source=_starter("new-patient-welcome"), actor=admin)
    automation_dry_run(automation=looked, actor=admin)
    automation_enable(automation=looked, actor=admin)
    done = completion(exercise=exercise, user=admin, since=since)
    assert done is not None and done.subject_id == str(looked.pk)


def test_nurse_exercise_is_done_by_giving_the_overdue_dose_only(make_user):
    nurse = make_user("Nurse")
    since = timezone.now() - timedelta(minutes=1)
    exercise = EXERCISES["give-overdue-dose"]
    order = MedicationOrderFactory(
        patient=PatientFactory(given_name="James", family_name="Carter")
    )
    other = MedicationOrderFactory()
    on_time, overdue, elsewhere = (
        ScheduledDose.objects.create(
            order=o, due_at=timezone.now() - timedelta(hours=h)
        )
        for o, h in ((order, 1), (order, 2), (other, 3))
    )
    for dose, kind, actor in (
        (elsewhere, "dose.overdue", None),
        (elsewhere, "dose.given", nurse),  # another patient
        (on_time, "dose.given", nurse),  # never reported overdue
        (overdue, "dose.given", nurse),  # reported overdue only later
        (overdue, "dose.overdue", None),
    ):
        publish(kind, patient=dose.order.patient, subject=dose, actor=actor)
    assert completion(exercise=exercise, user=nurse, since=since) is None

    publish("dose.given", patient=order.patient, subject=overdue, actor=nurse)
    done = completion(exercise=exercise, user=nurse, since=since)
    assert done is not None and done.subject_id == str(overdue.pk)


@pytest.mark.parametrize(
    ("slug", "kind", "facts", "near_facts"),
    [
        ("post-payment", "remittance.posted", {"claims_paid": 1}, {"claims_paid": 0}),
        ("build-claim", "claim.created", {}, None),
    ],
)
def test_billing_exercises_are_done_by_their_event(
    make_user, slug, kind, facts, near_facts
):
    clerk, other = make_user("Billing"), make_user("Billing")
    since = timezone.now() - timedelta(minutes=1)
    exercise = EXERCISES[slug]
    publish(kind, facts=facts, actor=other)  # another trainee
    if near_facts is not None:
        publish(kind, facts=near_facts, actor=clerk)  # a posting that paid nothing
    publish("claim.denied", facts=facts, actor=clerk)  # another event
    assert completion(exercise=exercise, user=clerk, since=since) is None
    publish(kind, facts=facts, actor=clerk)
    assert completion(exercise=exercise, user=clerk, since=since) is not None


def test_clinician_exercise_wants_robert_chens_result(make_user):
    doctor = make_user("Clinician")
    since = timezone.now() - timedelta(minutes=1)
    exercise = EXERCISES["acknowledge-critical"]
    publish("result.acknowledged", patient=PatientFactory(), actor=doctor)
    chen = PatientFactory(given_name="Robert", family_name="Chen")
    publish("result.critical", patient=chen, actor=doctor)
    assert completion(exercise=exercise, user=doctor, since=since) is None
    publish("result.acknowledged", patient=chen, actor=doctor)
    assert completion(exercise=exercise, user=doctor, since=since) is not None


def test_the_real_services_publish_what_the_exercises_read(make_user):
    """Acknowledging a critical result publishes "result.acknowledged" about the
    result, by the clinician."""
    doctor = make_user("Clinician")
    order = make_order(actor=doctor)
    test = order.items.first().test
    observation = Observation.objects.create(
        order=order, test=test, value_numeric=1, flag="LL", source="manual"
    )
    critical_acknowledge(observation=observation, action_taken="Called", actor=doctor)
    event = Event.objects.get(kind="result.acknowledged")
    assert (event.actor, event.patient, event.subject_id) == (
        doctor,
        order.patient,
        str(observation.pk),
    )
