"""Twilio's delivery-status webhook: signed only; the final status is kept whatever
the order or number of callbacks."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from twilio.request_validator import RequestValidator

from alerts.models import Notification, NumberConsent, StaffAlert
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db

TOKEN = "test-auth-token"
URL = "/webhooks/twilio/status/"


@pytest.fixture(autouse=True)
def _twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_WEBHOOK_BASE_URL = ""


@pytest.fixture
def sent(db):
    patient = PatientFactory(phone_mobile="+15551110001", sms_consent=True)
    now = timezone.now()
    return Notification.objects.create(
        patient=patient,
        channel="sms",
        address="+15551110001",
        body="See you tomorrow",
        scheduled_for=now - timedelta(minutes=1),
        due_at=now - timedelta(minutes=1),
        status="sent",
        provider_message_id="SMabc",
        sent_at=now,
    )


def _callback(status, *, sid="SMabc", query="", signature=None, secure=False, **more):
    params = {"MessageSid": sid, "MessageStatus": status, **more}
    url = f"{'https' if secure else 'http'}://testserver{URL}{query}"
    if signature is None:
        signature = RequestValidator(TOKEN).compute_signature(url, params)
    extra = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    if secure:
        extra["HTTP_X_FORWARDED_PROTO"] = "https"
    return Client().post(URL + query, params, **extra)


@pytest.mark.parametrize("signature", ["", "bm90IHRoZSByaWdodCBvbmU="])
def test_a_callback_without_a_valid_signature_is_refused(sent, signature):
    assert _callback("delivered", signature=signature).status_code == 403
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_delivered_then_a_late_sent_leaves_delivered(sent):
    assert _callback("delivered").status_code == 204
    assert _callback("sent").status_code == 204
    sent.refresh_from_db()
    assert (sent.status, sent.provider_status) == ("delivered", "delivered")
    assert sent.delivered_at is not None


def test_the_same_callback_twice_changes_nothing_the_second_time(sent):
    _callback("delivered")
    sent.refresh_from_db()
    first = sent.delivered_at
    _callback("delivered")
    sent.refresh_from_db()
    assert sent.delivered_at == first
    assert sent.history.count() == 2  # created + delivered


def test_undelivered_marks_it_and_tells_the_front_desk(sent):
    _callback("undelivered", ErrorCode="30003")
    sent.refresh_from_db()
    assert sent.status == "undeliverable"
    assert sent.last_error == "Twilio status undelivered, error 30003"
    alert = StaffAlert.objects.get()
    assert (alert.kind, alert.assigned_role) == ("message_failed", "Front desk")
    # A later "delivered" cannot undo a final status reached first.
    _callback("delivered")
    sent.refresh_from_db()
    assert sent.status == "undeliverable"


def test_a_failed_21610_opts_the_patient_out(sent):
    _callback("failed", ErrorCode="21610")
    consent = NumberConsent.objects.get(number=sent.address)
    assert (consent.state, consent.source) == ("out", "carrier")


def test_a_callback_before_the_sid_was_written_finds_the_row_by_its_id(sent):
    sent.status, sent.provider_message_id = "sending", ""
    sent.save()
    _callback("sent", sid="SMnew", query=f"?n={sent.pk}")
    sent.refresh_from_db()
    assert (sent.status, sent.provider_message_id) == ("sent", "SMnew")


def test_a_callback_naming_the_row_with_another_messages_sid_changes_nothing(
    sent, caplog
):
    response = _callback("failed", sid="SMother", query=f"?n={sent.pk}", ErrorCode="1")
    assert response.status_code == 204
    sent.refresh_from_db()
    assert (sent.status, sent.provider_message_id) == ("sent", "SMabc")
    assert sent.provider_status == "" and sent.last_error == ""
    assert sent.history.count() == 1
    assert not StaffAlert.objects.exists()
    assert (
        f"Ignored a status callback for notification {sent.pk}: its MessageSid "
        "'SMother' is not the row's 'SMabc'"
    ) in caplog.text
    # The row's own message is still heard.
    _callback("delivered", query=f"?n={sent.pk}")
    sent.refresh_from_db()
    assert sent.status == "delivered"


def test_behind_a_tls_proxy_the_https_url_is_checked(settings, sent):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert _callback("delivered", secure=True).status_code == 204


def test_a_configured_public_base_url_is_checked(settings, sent):
    settings.TWILIO_WEBHOOK_BASE_URL = "https://clinic.example.org"
    params = {"MessageSid": "SMabc", "MessageStatus": "delivered"}
    signature = RequestValidator(TOKEN).compute_signature(
        f"https://clinic.example.org{URL}", params
    )
    response = Client().post(URL, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 204
    sent.refresh_from_db()
    assert sent.status == "delivered"


def test_the_sender_asks_for_callbacks_at_the_public_url(settings, sent):
    from alerts.outbox import status_callback_url

    assert status_callback_url(sent) is None
    settings.TWILIO_WEBHOOK_BASE_URL = "https://clinic.example.org/"
    assert status_callback_url(sent) == (
        f"https://clinic.example.org/webhooks/twilio/status/?n={sent.pk}"
    )
