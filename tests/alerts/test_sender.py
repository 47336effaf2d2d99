"""The sender, with the real twilio client against the fake Twilio on 127.0.0.1."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alerts import outbox
from alerts.channels import Sent, sms_backend
from alerts.models import Notification, NumberConsent, StaffAlert
from alerts.outbox.statuses import sent_batch_record
from alerts.services import notification_create
from alerts.sweepers import send_due_notifications
from tests.alerts.conftest import finish
from tests.registration.factories import PatientFactory, number_texting

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(db):
    return PatientFactory(
        given_name="Rosa",
        phone_mobile="+15551230001",
        sms_consent=True,
        sms_consent_method="verbal",
    )


def _due(patient, body="Your visit is tomorrow at 10:00", **extra):
    return notification_create(
        patient=patient,
        channel=extra.pop("channel", "sms"),
        body=body,
        scheduled_for=timezone.now() - timedelta(seconds=1),
        **extra,
    )


def test_a_due_text_is_sent_once_and_its_sid_kept(fake_twilio, patient):
    row = _due(patient)
    assert outbox.notifications_send_due() == 1
    assert outbox.notifications_send_due() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert row.provider_message_id == fake_twilio.messages[0]["sid"]
    assert fake_twilio.bodies_to("+15551230001") == ["Your visit is tomorrow at 10:00"]


def test_500_then_201_delivers_one_message_after_a_retry(fake_twilio, patient):
    fake_twilio.script = [(500, None)]
    row = _due(patient)
    now = timezone.now()
    outbox.notifications_send_due(now=now)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.due_at == now + timedelta(seconds=30)
    assert "500" in row.last_error
    # Not due again before the back-off has passed.
    assert outbox.notifications_send_due(now=now + timedelta(seconds=29)) == 0
    outbox.notifications_send_due(now=now + timedelta(seconds=30))
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert fake_twilio.requests == 2
    assert len(fake_twilio.messages) == 1


def test_the_back_off_doubles_and_gives_up_after_the_limit(fake_twilio, patient):
    fake_twilio.script = [(503, None)] * outbox.MAX_ATTEMPTS
    row = _due(patient)
    now = timezone.now()
    delays = []
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.notifications_send_due(now=now)
        row.refresh_from_db()
        delays.append(row.due_at - now)
        now = row.due_at
    assert delays[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert (row.status, row.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert row.last_error.startswith("gave up: Twilio 503")
    alert = StaffAlert.objects.get(kind="message_failed")
    assert alert.patient == patient


def test_21610_opts_the_patient_out_and_is_not_retried(fake_twilio, patient):
    fake_twilio.script = [(400, 21610)]
    row = _due(patient)
    outbox.notifications_send_due()
    row.refresh_from_db()
    consent = NumberConsent.objects.get(number="+15551230001")
    assert (consent.state, consent.source) == ("out", "carrier")
    assert row.status == "failed"
    assert "opted out" in row.last_error
    outbox.notifications_send_due(now=timezone.now() + timedelta(hours=1))
    assert fake_twilio.requests == 1


def test_21610_falls_back_to_e_mail_when_the_patient_has_one(fake_twilio, patient):
    patient.email = "rosa@example.org"
    patient.save()
    fake_twilio.script = [(400, 21610)]
    row = _due(patient)
    outbox.notifications_send_due()
    row.refresh_from_db()
    assert (row.status, row.channel, row.address) == (
        "sent",
        "email",
        "rosa@example.org",
    )
    assert [m.to for m in mail.outbox] == [["rosa@example.org"]]


def test_an_invalid_number_fails_at_once(fake_twilio, patient):
    fake_twilio.script = [(400, 21211)]
    row = _due(patient)
    outbox.notifications_send_due()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 1)
    assert "21211" in row.last_error


def test_no_text_without_consent_e_mail_instead(fake_twilio, patient):
    number_texting(patient.phone_mobile, allowed=False)
    patient.email = "rosa@example.org"
    patient.save()
    row = _due(patient)
    outbox.notifications_send_due()
    row.refresh_from_db()
    assert (row.status, row.channel) == ("sent", "email")
    assert fake_twilio.requests == 0
    assert mail.outbox[0].body == "Your visit is tomorrow at 10:00"


def test_no_consent_and_no_e_mail_is_skipped_with_the_reason(fake_twilio, patient):
    number_texting(patient.phone_mobile, allowed=False)
    row = _due(patient)
    outbox.notifications_send_due()
    row.refresh_from_db()
    assert row.status == "skipped"
    assert row.last_error == "no consent to texts and no e-mail to fall back to"
    assert fake_twilio.requests == 0


def test_a_deceased_patient_gets_nothing(fake_twilio, patient):
    patient.status = "deceased"
    patient.deceased_date = timezone.localdate()
    patient.save()
    row = _due(patient)
    outbox.notifications_send_due()
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("skipped", "patient deceased")


def test_a_row_stuck_in_sending_whose_text_reached_twilio_adopts_its_sid(
    fake_twilio, patient
):
    row = _due(patient)
    now = timezone.now()
    [claimed] = outbox.notifications_claim(now=now)
    # The worker sent it, then died before writing down the answer.
    sent = sms_backend().send(to=claimed.address, body=claimed.body)
    later = now + outbox.SENDING_TIMEOUT + timedelta(seconds=1)
    assert outbox.notifications_recover(now=later) == 1
    row.refresh_from_db()
    assert (row.status, row.provider_message_id) == ("sent", sent.provider_id)
    outbox.notifications_send_due(now=later)
    assert len(fake_twilio.messages) == 1


def test_a_row_stuck_in_sending_whose_text_twilio_still_queues_is_not_resent(
    fake_twilio, patient
):
    fake_twilio.hold = True  # accepted, not yet sent on by Twilio
    row = _due(patient)
    now = timezone.now()
    [claimed] = outbox.notifications_claim(now=now)
    sent = sms_backend().send(to=claimed.address, body=claimed.body)
    later = now + outbox.SENDING_TIMEOUT + timedelta(seconds=1)
    assert outbox.notifications_recover(now=later) == 1
    outbox.notifications_send_due(now=later)
    row.refresh_from_db()
    assert (row.status, row.provider_message_id) == ("sent", sent.provider_id)
    assert len(fake_twilio.messages) == 1


def test_a_row_stuck_in_sending_that_never_left_is_sent_once_more(fake_twilio, patient):
    row = _due(patient)
    now = timezone.now()
    outbox.notifications_claim(now=now)
    # Not yet past the timeout: nothing is touched.
    assert outbox.notifications_recover(now=now + timedelta(minutes=1)) == 0
    later = now + outbox.SENDING_TIMEOUT + timedelta(seconds=1)
    assert outbox.notifications_recover(now=later) == 1
    outbox.notifications_send_due(now=later)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(fake_twilio.messages) == 1


def test_a_text_twilio_did_not_answer_in_time_is_looked_up_not_resent(
    settings, fake_twilio, patient
):
    settings.TWILIO_TIMEOUT_SECONDS = 0.3
    fake_twilio.delay = 1.0  # Twilio takes the text but answers too late
    row = _due(patient)
    now = timezone.now()
    outbox.notifications_send_due(now=now)
    row.refresh_from_db()
    assert row.status == "sending"
    assert "may have gone out" in row.last_error
    fake_twilio.settle()
    fake_twilio.delay = 0
    # Not resent while it may be at Twilio...
    assert outbox.notifications_send_due(now=now + timedelta(minutes=1)) == 0
    # ...then found there: its SID adopted, no second copy.
    later = now + outbox.SENDING_TIMEOUT + timedelta(seconds=1)
    assert outbox.notifications_recover(now=later) == 1
    outbox.notifications_send_due(now=later)
    row.refresh_from_db()
    assert (row.status, row.provider_message_id) == (
        "sent",
        fake_twilio.messages[0]["sid"],
    )
    assert len(fake_twilio.messages) == 1


def test_a_stuck_text_not_at_twilio_after_the_last_try_fails_with_an_alert(
    fake_twilio, patient
):
    row = _due(patient)
    now = timezone.now()
    [claimed] = outbox.notifications_claim(now=now)
    claimed.attempts = outbox.MAX_ATTEMPTS
    claimed.save()
    assert outbox.notifications_recover(now=now + outbox.SENDING_TIMEOUT * 2) == 1
    row.refresh_from_db()
    assert row.status == "failed"
    assert row.last_error.startswith(f"gave up after {outbox.MAX_ATTEMPTS} tries")
    assert StaffAlert.objects.filter(kind="message_failed").count() == 1
    assert fake_twilio.messages == []


def test_an_e_mail_stuck_in_sending_is_not_sent_again(patient):
    patient.email = "rosa@example.org"
    patient.save()
    row = _due(patient, channel="email", subject="Hello")
    now = timezone.now()
    outbox.notifications_claim(now=now)
    outbox.notifications_recover(now=now + outbox.SENDING_TIMEOUT * 2)
    row.refresh_from_db()
    assert row.status == "failed"
    assert "may have gone out" in row.last_error
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_hands_due_rows_to_workers_on_the_notifications_queue(
    fake_twilio, patient, processes
):
    for n in range(3):
        _due(patient, body=f"Message {n}")
    assert send_due_notifications(timezone.now()) == 3
    finish(processes("rqworker", "notifications", "--burst", twilio=fake_twilio))
    assert sorted(fake_twilio.bodies_to("+15551230001")) == [
        "Message 0",
        "Message 1",
        "Message 2",
    ]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_a_delivery_callback_that_beats_the_send_record_keeps_its_details(patient):
    """Twilio may call back "delivered" before the sender has written "sent": the
    row ends delivered, with the callback's time, and the sender's SID and time."""
    row = _due(patient)
    [claimed] = outbox.notifications_claim(now=timezone.now())
    assert claimed.status == "sending"
    outbox.delivery_status_record(
        provider_id="SMearly", provider_status="delivered", notification_id=row.pk
    )
    delivered_at = Notification.objects.get(pk=row.pk).delivered_at
    assert delivered_at is not None
    sent_batch_record(
        [(claimed, Sent("SMearly", "queued"), {"channel": "sms", "address": "+1555"})]
    )
    row.refresh_from_db()
    assert (row.status, row.provider_status) == ("delivered", "delivered")
    assert row.delivered_at == delivered_at
    assert row.provider_message_id == "SMearly"
    assert row.sent_at is not None and row.address == "+1555"
    latest = row.history.order_by("-history_id").first()
    assert (latest.status, latest.delivered_at) == ("delivered", delivered_at)


def test_a_batch_of_sends_is_written_with_two_statements_and_history(
    patient, django_assert_max_num_queries
):
    rows = [_due(patient, body=f"Visit {n}") for n in range(5)]
    claimed = outbox.notifications_claim(now=timezone.now())
    assert len(claimed) == 5
    items = [
        (row, Sent(f"SM{n}", "queued"), {"channel": "sms", "address": "+15551230001"})
        for n, row in enumerate(claimed)
    ]
    # Lock-and-read, batched UPDATE, history INSERT (inside one transaction).
    with django_assert_max_num_queries(5):
        sent_batch_record(items)
    for n, row in enumerate(sorted(rows, key=lambda r: r.pk)):
        row.refresh_from_db()
        assert (row.status, row.provider_message_id) == ("sent", f"SM{n}")
        assert row.history.order_by("-history_id").first().history_change_reason == (
            "sent"
        )
