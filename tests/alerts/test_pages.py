"""The outbox and the chart's messages panel."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import Notification
from clinic.models import AccessLog
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _message(patient, status="failed", **extra):
    now = timezone.now()
    return Notification.objects.create(
        patient=patient,
        channel="sms",
        address=str(patient.phone_mobile),
        body=extra.pop("body", "Reminder for tomorrow"),
        scheduled_for=now - timedelta(hours=1),
        due_at=now - timedelta(hours=1),
        status=status,
        last_error="Twilio 400 error 21211: invalid" if status == "failed" else "",
        **extra,
    )


def test_the_outbox_filters_by_status_and_patient(client, make_user):
    client.force_login(make_user("Front desk"))
    rosa = PatientFactory(family_name="Marchetti", phone_mobile="+15551230001")
    other = PatientFactory(family_name="Okafor", phone_mobile="+15551230002")
    failed = _message(rosa, body="Failed one")
    _message(rosa, status="delivered", body="Delivered one")
    _message(other, body="Someone else's")
    response = client.get(
        reverse("alerts:outbox"), {"status": "failed", "q": "marchetti"}
    )
    rows = response.context["notifications"]
    assert [n.pk for n in rows] == [failed.pk]
    assert "Failed: 2" in response.content.decode()
    assert AccessLog.objects.filter(what="outbox").count() == 1


def test_resend_needs_a_reason_and_records_it(client, make_user):
    user = make_user("Front desk")
    client.force_login(user)
    patient = PatientFactory(phone_mobile="+15551230001", sms_consent=True)
    failed = _message(patient)
    url = reverse("alerts:resend", args=[failed.pk])
    assert client.post(url, {"reason": " "}).status_code == 200
    response = client.post(url, {"reason": "New number given by phone"})
    assert response.status_code == 302
    copy = Notification.objects.get(resent_from=failed)
    assert (copy.status, copy.resend_reason, copy.created_by) == (
        "pending",
        "New number given by phone",
        user,
    )
    assert copy.history.first().history_change_reason == (
        "resent: New number given by phone"
    )


def test_a_delivered_message_cannot_be_resent(client, make_user):
    """The refusal stays on the form, with the reason that was typed."""
    client.force_login(make_user("Front desk"))
    delivered = _message(PatientFactory(phone_mobile="+15551230001"), "delivered")
    response = client.post(
        reverse("alerts:resend", args=[delivered.pk]), {"reason": "Asked twice"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Only a failed, undeliverable or skipped message can be resent."
    ]
    assert 'value="Asked twice"' in response.content.decode()
    assert Notification.objects.count() == 1


def test_the_chart_shows_the_conversation_newest_first(client, make_user):
    from alerts.models import InboundMessage

    client.force_login(make_user("Front desk"))
    patient = PatientFactory(phone_mobile="+15551230001")
    _message(patient, status="delivered", body="See you tomorrow at 10:00")
    InboundMessage.objects.create(
        provider_id="SMin1",
        from_number="+15551230001",
        body="C",
        patient=patient,
        action="confirmed",
        reply="Thank you, your visit is confirmed.",
    )
    body = client.get(
        reverse("registration:patient-chart", args=[patient.pk])
    ).content.decode()
    panel = body[body.index('id="chart-messages"') :]
    order = [
        panel.index("Thank you, your visit is confirmed."),
        panel.index(">C<"),
        panel.index("See you tomorrow at 10:00"),
    ]
    assert order == sorted(order)
