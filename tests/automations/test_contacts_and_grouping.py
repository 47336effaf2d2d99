"""Issue #21: reminders reach a patient's contacts only with the reminder
permission and valid consent; reminders for one number on one day are one text;
a reply that does not say which visit is asked which (C1, C2...)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerts import outbox
from alerts.models import InboundMessage, Notification
from registration.models import PatientContact
from scheduling.models import Appointment
from tests.alerts.conftest import fake_twilio_server
from tests.automations.texting import book, reply, send_reminders_of
from tests.registration.factories import (
    PatientContactFactory,
    PatientFactory,
    number_texting,
)

pytestmark = pytest.mark.django_db

FAMILY = "+15557770001"
PARENT = "+15557770002"


@pytest.fixture
def siblings(clinic):
    """Ana and Ben share their parent's phone, with consent on the number."""
    ana = PatientFactory(given_name="Ana", phone_mobile=FAMILY, sms_consent=True)
    ben = PatientFactory(given_name="Ben", phone_mobile=FAMILY, sms_consent=True)
    return ana, ben


def test_siblings_reminders_for_one_day_go_as_one_text_naming_each_visit(
    clinic, rule, siblings, fake_twilio
):
    ana, ben = siblings
    first = book(clinic, ana, 9)
    second = book(clinic, ben, 9, 30, provider=clinic["other_provider"])

    send_reminders_of(first)

    [text] = fake_twilio.bodies_to(FAMILY)
    assert "1) Ana" in text and "2) Ben" in text
    assert "9 a.m." in text and "9:30 a.m." in text
    assert "Reply C1, C2" in text
    lead = Notification.objects.get(appointment=first)
    other = Notification.objects.get(appointment=second)
    assert (lead.status, other.status) == ("sent", "sent")
    assert other.grouped_into == lead
    assert other.last_error == f"in one text with #{lead.pk}"


def test_a_plain_c_to_a_text_naming_two_visits_asks_which_and_c2_confirms_bens(
    clinic, rule, siblings, fake_twilio
):
    ana, ben = siblings
    first = book(clinic, ana, 9)
    second = book(clinic, ben, 9, 30, provider=clinic["other_provider"])
    send_reminders_of(first)

    asked = reply("c", FAMILY, "SM1")
    assert asked.action == InboundMessage.Action.ASKED_WHICH
    assert asked.reply == "Which visit? Reply C1 for Ana 9 a.m., C2 for Ben 9:30 a.m."
    first.refresh_from_db()
    assert first.status == Appointment.Status.SCHEDULED

    confirmed = reply("C2", FAMILY, "SM2")
    assert confirmed.action == InboundMessage.Action.CONFIRMED
    assert confirmed.patient == ben
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("scheduled", "confirmed")


def test_a_parent_contact_for_two_children_gets_one_text(clinic, rule, fake_twilio):
    ana, ben = PatientFactory(given_name="Ana"), PatientFactory(given_name="Ben")
    for child in (ana, ben):
        PatientContactFactory(patient=child, phone_mobile=PARENT, name="Maria")
    number_texting(PARENT)
    first = book(clinic, ana, 10)
    book(clinic, ben, 11)

    send_reminders_of(first)

    [text] = fake_twilio.bodies_to(PARENT)
    assert "1) Ana" in text and "2) Ben" in text


def test_a_contact_without_permission_to_manage_visits_cannot_confirm(
    clinic, rule, fake_twilio
):
    ana = PatientFactory(given_name="Ana")
    PatientContactFactory(patient=ana, phone_mobile=PARENT, may_manage_visits=False)
    number_texting(PARENT)
    visit = book(clinic, ana, 10)
    send_reminders_of(visit)

    answer = reply("C", PARENT, "SM1")

    assert answer.action == InboundMessage.Action.TASK
    assert "may not confirm or change visits for Ana" in answer.reply
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.SCHEDULED


def test_a_contact_with_permission_confirms_by_c(clinic, rule, fake_twilio):
    ana = PatientFactory(given_name="Ana")
    PatientContactFactory(patient=ana, phone_mobile=PARENT, may_manage_visits=True)
    number_texting(PARENT)
    visit = book(clinic, ana, 10)
    send_reminders_of(visit)

    assert reply("C", PARENT, "SM1").action == InboundMessage.Action.CONFIRMED
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CONFIRMED


PERMISSIONS = st.fixed_dictionaries(
    {
        "receives_reminders": st.booleans(),
        "may_manage_visits": st.booleans(),
        "receives_results": st.booleans(),
        "receives_billing": st.booleans(),
        "expired": st.booleans(),
        "ended": st.booleans(),
    }
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(contacts=st.lists(PERMISSIONS, min_size=1, max_size=3))
def test_a_contact_without_the_reminder_permission_never_receives_one(
    clinic, rule, settings, contacts
):
    """Any permission set, expired or ended consent: through the fake Twilio,
    a reminder reaches exactly the contacts holding the reminder permission
    under valid consent (and the patient)."""
    gen = fake_twilio_server(settings)
    twilio = next(gen)
    try:
        patient = PatientFactory(phone_mobile="+15558880000", sms_consent=True)
        expected = {"+15558880000"}
        for n, flags in enumerate(contacts):
            number = f"+1555888{n + 1:04d}"
            number_texting(number)
            contact = PatientContactFactory(
                patient=patient,
                phone_mobile=number,
                **{k: v for k, v in flags.items() if k not in ("expired", "ended")},
            )
            if flags["expired"]:
                contact.consent_until = timezone.localdate() - timedelta(days=1)
            if flags["ended"]:
                contact.ended_at = timezone.now()
            contact.save()
            if flags["receives_reminders"] and not (flags["expired"] or flags["ended"]):
                expected.add(number)
        visit = book(clinic, patient, 10)
        send_reminders_of(visit)
        assert {m["to"] for m in twilio.messages} == expected
    finally:
        Notification.objects.all().delete()
        Appointment.objects.all().delete()
        PatientContact.objects.all().delete()
        next(gen, None)


def test_a_contact_whose_consent_ran_out_after_booking_is_skipped(
    clinic, rule, fake_twilio
):
    ana = PatientFactory(given_name="Ana")
    contact = PatientContactFactory(patient=ana, phone_mobile=PARENT)
    number_texting(PARENT)
    visit = book(clinic, ana, 10)
    contact.consent_until = timezone.localdate() - timedelta(days=1)
    contact.save()

    send_reminders_of(visit)

    assert fake_twilio.bodies_to(PARENT) == []
    row = Notification.objects.get(contact=contact)
    assert (row.status, row.last_error) == (
        "skipped",
        "the patient's consent to this contact has run out",
    )


def test_siblings_seen_at_the_same_time_get_one_text_when_both_are_due_at_once(
    clinic, rule, siblings, fake_twilio
):
    ana, ben = siblings
    first = book(clinic, ana, 9)
    book(clinic, ben, 9, provider=clinic["other_provider"])

    # Both reminders are due: the sender claims them in one batch.
    outbox.notifications_send_due(now=first.start - timedelta(hours=23))

    [text] = fake_twilio.bodies_to(FAMILY)
    assert "1) Ana" in text and "2) Ben" in text
    assert sorted(Notification.objects.values_list("status", flat=True)) == [
        "sent",
        "sent",
    ]


def test_a_parent_on_the_childrens_own_number_is_not_texted_twice(
    clinic, rule, siblings, fake_twilio
):
    """The demo family: the children's number is their mother's, who is also
    their contact. Each visit is named once, in one text."""
    ana, ben = siblings
    for child in siblings:
        PatientContactFactory(patient=child, phone_mobile=FAMILY, name="Maria")
    first = book(clinic, ana, 9)
    book(clinic, ben, 9, 30, provider=clinic["other_provider"])

    send_reminders_of(first)

    [text] = fake_twilio.bodies_to(FAMILY)
    assert text.count("Ana") == 1 and text.count("Ben") == 1
    assert not Notification.objects.filter(contact__isnull=False).exists()
