"""Twilio's inbound-SMS webhook: signed requests only; replies handled once."""

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from alerts.models import InboundMessage, NumberConsent, StaffAlert
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db

TOKEN = "test-auth-token"
URL = "/webhooks/twilio/sms/"


@pytest.fixture(autouse=True)
def _twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_WEBHOOK_BASE_URL = ""
    settings.CLINIC_NAME = "Main Street Clinic"


def _post(
    body, sid="SM1", sender="+15551110001", *, signature=None, secure=False, client=None
):
    params = {"MessageSid": sid, "From": sender, "To": "+15005550006", "Body": body}
    scheme = "https" if secure else "http"
    if signature is None:
        signature = RequestValidator(TOKEN).compute_signature(
            f"{scheme}://testserver{URL}", params
        )
    extra = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    if secure:
        extra["HTTP_X_FORWARDED_PROTO"] = "https"
    return (client or Client()).post(URL, params, **extra)


@pytest.mark.parametrize("signature", ["", "bm90IHRoZSByaWdodCBvbmU="])
def test_a_request_without_a_valid_signature_is_refused(signature):
    response = _post("STOP", signature=signature)
    assert response.status_code == 403
    assert InboundMessage.objects.count() == 0


def test_a_signature_over_another_url_is_refused():
    params = {"MessageSid": "SM9", "From": "+15551110001", "To": "x", "Body": "STOP"}
    wrong = RequestValidator(TOKEN).compute_signature("http://evil.example/x", params)
    response = Client().post(URL, params, HTTP_X_TWILIO_SIGNATURE=wrong)
    assert response.status_code == 403


def test_stop_opts_the_patient_out_and_start_back_in():
    patient = PatientFactory(
        phone_mobile="+15551110001", sms_consent=True, sms_consent_method="verbal"
    )
    response = _post("stop", sid="SM1")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    assert "no more texts from Main Street Clinic" in response.content.decode()
    consent = NumberConsent.objects.get(number="+15551110001")
    assert (consent.state, consent.source, consent.how) == (
        "out",
        "reply",
        "replied STOP",
    )

    _post("START", sid="SM2")
    consent.refresh_from_db()
    assert (consent.state, consent.how) == ("in", "replied START")
    # The patient record keeps the form's answer; the number decides.
    patient.refresh_from_db()
    assert patient.sms_consent is True


def test_r_asks_for_a_call_back_as_a_front_desk_task():
    patient = PatientFactory(phone_mobile="+15551110001")
    response = _post("R", sid="SM3")
    assert "will call you back" in response.content.decode()
    alert = StaffAlert.objects.get()
    assert (alert.kind, alert.assigned_role, alert.patient) == (
        "callback_request",
        "Front desk",
        patient,
    )


def test_any_other_text_becomes_a_task_with_the_text():
    PatientFactory(phone_mobile="+15551110001")
    _post("Can I bring my daughter?", sid="SM4")
    alert = StaffAlert.objects.get()
    assert alert.kind == "patient_reply"
    assert alert.message == "Can I bring my daughter?"


def test_the_same_webhook_delivered_twice_is_handled_once():
    PatientFactory(phone_mobile="+15551110001")
    first = _post("Hello", sid="SM5")
    second = _post("Hello", sid="SM5")
    assert first.content == second.content
    assert InboundMessage.objects.count() == 1
    assert StaffAlert.objects.count() == 1


def test_behind_a_tls_proxy_the_https_url_is_what_twilio_signed(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert _post("Hi", sid="SM6", secure=True).status_code == 200


def test_a_configured_public_base_url_is_used_for_the_signature(settings):
    settings.TWILIO_WEBHOOK_BASE_URL = "https://clinic.example.org"
    params = {"MessageSid": "SM7", "From": "+15551110001", "To": "x", "Body": "Hi"}
    signature = RequestValidator(TOKEN).compute_signature(
        f"https://clinic.example.org{URL}", params
    )
    response = Client().post(URL, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200


def test_an_unknown_number_gets_a_polite_answer_and_a_task():
    response = _post("Who is this?", sid="SM8", sender="+15559990000")
    assert "not on file" in response.content.decode()
    assert StaffAlert.objects.get().patient is None
