"""C / YES confirm the next visit; a waitlist offer goes to the first YES."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from twilio.request_validator import RequestValidator

from alerts import hooks
from alerts.models import InboundMessage, Notification, WaitlistOffer
from scheduling.models import Appointment, WaitlistEntry
from scheduling.services import appointment_book, appointment_cancel
from scheduling.waitlist_offers import waitlist_offers_send
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
    local,
    next_weekday,
    weekly_hours,
)

TOKEN = "test-auth-token"
URL = "/webhooks/twilio/sms/"


@pytest.fixture(autouse=True)
def _twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_WEBHOOK_BASE_URL = ""
    settings.CLINIC_NAME = "Main Street Clinic"


def _text(body, sender, sid):
    params = {"MessageSid": sid, "From": sender, "To": "+15005550006", "Body": body}
    signature = RequestValidator(TOKEN).compute_signature(
        f"http://testserver{URL}", params
    )
    response = Client().post(URL, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def clinic(db):
    location = LocationFactory(code="main", name="Main Street")
    provider = ProviderFactory(name="Dr Adams")
    weekly_hours(provider, location)
    return {
        "location": location,
        "provider": provider,
        "appointment_type": AppointmentTypeFactory(name="Follow-up"),
    }


def _patient(n):
    return PatientFactory(
        given_name=f"Pat{n}",
        phone_mobile=f"+1555111000{n}",
        sms_consent=True,
        sms_consent_method="verbal",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["C", "yes", " Confirm "])
def test_c_or_yes_confirms_the_next_visit(clinic, word):
    patient = _patient(1)
    day = next_weekday()
    first = appointment_book(patient=patient, start=local(day, 9), actor=None, **clinic)
    later = appointment_book(
        patient=patient, start=local(day + timedelta(days=7), 9), actor=None, **clinic
    )
    reply = _text(word, "+15551110001", "SM1")
    first.refresh_from_db()
    later.refresh_from_db()
    assert (first.status, later.status) == ("confirmed", "scheduled")
    assert "is confirmed" in reply
    assert InboundMessage.objects.get().action == "confirmed"
    assert first.history.latest().history_change_reason == "confirmed"


@pytest.mark.django_db
def test_the_visit_meaning_of_c_is_scheduling_s_hook(clinic, monkeypatch):
    """Without scheduling's reply handlers, alerts knows no visit: "C" is a task."""
    patient = _patient(1)
    visit = appointment_book(
        patient=patient, start=local(next_weekday(), 9), actor=None, **clinic
    )
    monkeypatch.setattr(hooks, "REPLY_HANDLERS", [])
    assert "has your message" in _text("C", "+15551110001", "SM1")
    visit.refresh_from_db()
    assert (visit.status, InboundMessage.objects.get().action) == ("scheduled", "task")


@pytest.mark.django_db
def test_c_without_an_upcoming_visit_becomes_a_task(clinic):
    _patient(1)
    reply = _text("C", "+15551110001", "SM1")
    assert "no upcoming visit" in reply
    assert InboundMessage.objects.get().alert.kind == "patient_reply"


def _freed_slot(clinic):
    """A visit booked, then cancelled: its time is free to offer."""
    visit = appointment_book(
        patient=_patient(9), start=local(next_weekday(), 11), actor=None, **clinic
    )
    appointment_cancel(appointment=visit, reason="Patient is travelling", actor=None)
    return visit


def _waiting(patient, clinic):
    return WaitlistEntry.objects.create(
        patient=patient,
        appointment_type=clinic["appointment_type"],
        until=next_weekday(weeks_ahead=3),
    )


@pytest.mark.django_db
def test_an_offer_is_texted_and_the_first_yes_gets_the_slot(clinic, admin_user):
    freed = _freed_slot(clinic)
    first, second = _patient(1), _patient(2)
    entries = [_waiting(first, clinic), _waiting(second, clinic)]
    offers = waitlist_offers_send(
        freed_appointment=freed, entries=entries, actor=admin_user, clinic="MSC"
    )
    assert [o.notification.body[:40] for o in offers] == [
        "Hi Pat1, MSC has an earlier Follow-up on",
        "Hi Pat2, MSC has an earlier Follow-up on",
    ]
    assert Notification.objects.filter(body__contains="Reply YES").count() == 2

    won = _text("YES", "+15551110002", "SM2")
    lost = _text("Yes", "+15551110001", "SM3")
    assert won.startswith("<?xml") and "It is yours" in won
    assert "that slot has been taken. You stay on the waitlist" in lost
    booked = Appointment.objects.get(patient=second, status="scheduled")
    assert booked.start == freed.start
    assert not Appointment.objects.filter(patient=first).exists()
    entries[0].refresh_from_db()
    entries[1].refresh_from_db()
    assert (entries[0].status, entries[1].status) == ("waiting", "booked")
    assert [m.action for m in InboundMessage.objects.order_by("id")] == [
        "offer_accepted",
        "offer_taken",
    ]


@pytest.mark.django_db(transaction=True)
def test_two_yes_at_the_same_moment_book_the_slot_once(clinic):
    freed = _freed_slot(clinic)
    patients = [_patient(n) for n in range(1, 5)]
    waitlist_offers_send(
        freed_appointment=freed,
        entries=[_waiting(p, clinic) for p in patients],
        actor=None,
        clinic="MSC",
    )
    replies, start = {}, threading.Barrier(len(patients))

    def answer(n):
        try:
            start.wait()
            replies[n] = _text("YES", f"+1555111000{n}", f"SMc{n}")
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(n,)) for n in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted("It is yours" in text for text in replies.values()) == [
        False,
        False,
        False,
        True,
    ]
    assert (
        Appointment.objects.filter(start=freed.start, status="scheduled").count() == 1
    )
    assert WaitlistOffer.objects.filter(status="accepted").count() == 1


@pytest.mark.django_db
def test_the_offer_button_texts_the_best_candidates(clinic, admin_client):
    freed = _freed_slot(clinic)
    entries = [_waiting(_patient(n), clinic) for n in (1, 2, 3)]
    url = reverse("alerts:offer-send", args=[freed.pk])
    response = admin_client.post(url, {"count": "2"}, follow=True)
    assert response.redirect_chain == [
        (reverse("scheduling:appointment-candidates", args=[freed.pk]), 302)
    ]
    assert "Offered by text to 2 patient(s)" in response.content.decode()
    offered = WaitlistOffer.objects.values_list("entry_id", flat=True)
    assert sorted(offered) == [entries[0].pk, entries[1].pk]


@pytest.mark.django_db
def test_only_a_cancelled_visit_s_time_is_offered(clinic, admin_client):
    visit = appointment_book(
        patient=_patient(9), start=local(next_weekday(), 11), actor=None, **clinic
    )
    _waiting(_patient(1), clinic)
    url = reverse("alerts:offer-send", args=[visit.pk])
    body = admin_client.post(url, {"count": "2"}, follow=True).content.decode()
    assert "Only a cancelled visit&#x27;s time can be offered." in body
    assert not WaitlistOffer.objects.exists()
    missing = reverse("alerts:offer-send", args=[visit.pk + 1000])
    assert admin_client.post(missing, {"count": "2"}).status_code == 404
