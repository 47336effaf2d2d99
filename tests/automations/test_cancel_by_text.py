"""Patients cancel by replying X to a reminder: the visit the reminder named is
cancelled (its time free, its history saying by whom), the front desk gets a task
that leads to it; X never cancels on a guess."""

import pytest
from django.urls import reverse

from alerts.kinds import target_of
from alerts.models import InboundMessage, StaffAlert
from automations.texts import REPLY_INSTRUCTIONS
from scheduling.models import Appointment
from tests.automations.texting import book, reply, send_reminders_of
from tests.registration.factories import (
    PatientContactFactory,
    PatientFactory,
    number_texting,
)

pytestmark = pytest.mark.django_db

MOBILE = "+15557770101"
FAMILY = "+15557770102"


def _reminded(clinic, hour=9, **patient):
    patient = PatientFactory(
        given_name="Ana", phone_mobile=MOBILE, sms_consent=True, **patient
    )
    visit = book(clinic, patient, hour)
    send_reminders_of(visit)
    return visit


def test_the_reminder_says_how_to_cancel(clinic, rule, fake_twilio):
    visit = _reminded(clinic)
    [text] = fake_twilio.bodies_to(MOBILE)
    assert text.endswith(REPLY_INSTRUCTIONS["en"])
    assert "X to cancel" in text
    assert visit.status == Appointment.Status.SCHEDULED


@pytest.mark.parametrize("word", ["X", " x ", "x1"])
def test_x_to_a_reminder_cancels_its_visit_and_tells_the_front_desk(
    clinic, rule, fake_twilio, word
):
    visit = _reminded(clinic)
    later = book(clinic, visit.patient, 14)  # another visit, not the one reminded of

    message = reply(word, MOBILE, "SMx1")

    visit.refresh_from_db()
    later.refresh_from_db()
    assert (visit.status, later.status) == ("cancelled", "scheduled")
    assert visit.cancel_reason == "Cancelled by text from the patient"
    assert visit.history.latest().history_change_reason == (
        "cancelled: Cancelled by text from the patient"
    )
    assert message.action == InboundMessage.Action.CANCELLED
    assert message.reply.startswith("Your visit on ")
    assert "is cancelled. To book another time, call Main Street Clinic." in (
        message.reply
    )
    task = message.alert
    assert task.title.startswith("Cancelled by text: ")
    assert (task.kind, task.subject) == ("cancelled_by_text", visit)
    assert target_of(task) == (
        reverse("scheduling:find")
        + f"?patient={visit.patient.mrn}&appointment_type={visit.appointment_type_id}"
    )
    # The same webhook delivered again changes nothing.
    assert reply(word, MOBILE, "SMx1") == message
    assert StaffAlert.objects.filter(title__startswith="Cancelled by text").count() == 1


def test_x_twice_answers_that_no_upcoming_visit_is_left_to_cancel(
    clinic, rule, fake_twilio
):
    visit = _reminded(clinic)
    reply("X", MOBILE, "SMx1")
    again = reply("X", MOBILE, "SMx2")
    assert again.action == InboundMessage.Action.TASK
    assert again.reply.startswith("We found no upcoming visit to cancel")
    visit.refresh_from_db()
    assert visit.history.filter(status="cancelled").count() == 1


def test_x_without_a_reminder_cancels_nothing_and_asks_the_desk_to_call(clinic):
    patient = PatientFactory(phone_mobile=MOBILE, sms_consent=True)
    visit = book(clinic, patient, 9)

    message = reply("X", MOBILE, "SMx1")

    visit.refresh_from_db()
    assert visit.status == Appointment.Status.SCHEDULED
    assert message.action == InboundMessage.Action.TASK
    assert message.reply.startswith("We found no upcoming visit to cancel")
    assert "no reminder names a visit" in message.alert.message


def test_x_from_a_number_no_one_has_is_a_plain_task(clinic):
    message = reply("X", "+15557779999", "SMx1")
    assert (message.action, message.patient) == (InboundMessage.Action.TASK, None)
    assert "not on file" in message.reply


@pytest.fixture
def siblings(clinic, rule, fake_twilio):
    """Ana's and Ben's visits, reminded in one text to their shared number."""
    ana = PatientFactory(given_name="Ana", phone_mobile=FAMILY, sms_consent=True)
    ben = PatientFactory(given_name="Ben", phone_mobile=FAMILY, sms_consent=True)
    first = book(clinic, ana, 9)
    second = book(clinic, ben, 9, 30, provider=clinic["other_provider"])
    send_reminders_of(first)
    [text] = fake_twilio.bodies_to(FAMILY)
    assert "X1, X2... to cancel one" in text
    return first, second


@pytest.mark.parametrize("word", ["X", "X0", "X3", "x 9"])
def test_an_x_that_does_not_say_which_visit_asks_which(siblings, word):
    message = reply(word, FAMILY, "SMx1")
    assert message.action == InboundMessage.Action.ASKED_WHICH
    assert message.reply == "Which visit? Reply X1 for Ana 9 a.m., X2 for Ben 9:30 a.m."
    assert not Appointment.objects.filter(status="cancelled").exists()


def test_x2_cancels_only_the_second_visit_named(siblings):
    first, second = siblings
    message = reply("X2", FAMILY, "SMx1")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("scheduled", "cancelled")
    assert message.patient == second.patient


@pytest.mark.parametrize("may_manage_visits", [False, True])
def test_a_contact_cancels_only_with_the_permission_to_manage_visits(
    clinic, rule, fake_twilio, may_manage_visits
):
    child = PatientFactory(given_name="Ana")
    PatientContactFactory(
        patient=child,
        phone_mobile=FAMILY,
        name="Maria Lopez",
        may_manage_visits=may_manage_visits,
    )
    number_texting(FAMILY)
    visit = book(clinic, child, 9)
    send_reminders_of(visit)

    message = reply("X", FAMILY, "SMx1")

    visit.refresh_from_db()
    assert message.patient == child
    if not may_manage_visits:
        assert visit.status == Appointment.Status.SCHEDULED
        assert message.action == InboundMessage.Action.TASK
        assert message.reply.startswith("This number may not confirm or change visits")
        assert "may not confirm or cancel visits for" in message.alert.message
        return
    assert visit.status == Appointment.Status.CANCELLED
    assert visit.cancel_reason == "Cancelled by text from Maria Lopez"
    assert "from +15557770102 (Maria Lopez)" in message.alert.message
