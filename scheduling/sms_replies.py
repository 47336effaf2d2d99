"""What a patient's text means for their visits.

alerts handles every inbound text (``alerts.replies``); ``SchedulingConfig.ready``
adds these handlers to ``alerts.hooks.REPLY_HANDLERS``, asked in this order: YES
takes an open waitlist offer; C to the last reminder text confirms its visit and
X cancels it (a text naming several visits asks which one: C1, C2... or X1,
X2...); otherwise C (or YES with no offer) confirms the patient's next visit. X
acts only on a visit a reminder of the last week named: with none, it is a task
for the front desk. A patient's contact confirms or cancels only with the
permission to manage visits.
"""

import re
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import hooks
from alerts.models import InboundMessage
from alerts.outbox.grouping import group_rows, latest_reminder_to
from alerts.services import alert_raise
from automations.reminders.grouping import group_question
from clinic.permissions import FRONT_DESK
from registration.models import PatientContact
from scheduling.models import Appointment
from scheduling.services import appointment_cancel, appointment_confirm
from scheduling.waitlist_offers import open_offer_for, waitlist_offer_answer_yes

CONFIRM_WORDS = {"C", "YES", "Y", "CONFIRM"}
# CANCEL itself is a carriers' opt-out word (STOP's synonym): it never reaches here.
CANCEL_WORDS = {"X"}
CHOICE = re.compile(r"^([CX]) ?(\d{1,2})$")
# How long after a reminder text a reply is taken as answering it.
REPLY_WINDOW = timedelta(days=7)
YES_WORDS = {"YES", "Y"}

REPLY_CONFIRMED = _("Thank you, your visit on %(when)s is confirmed. %(clinic)s")
REPLY_NOTHING_TO_CONFIRM = _(
    "We found no upcoming visit to confirm; %(clinic)s will contact you."
)
REPLY_NOT_PERMITTED = _(
    "This number may not confirm or change visits for %(name)s. Please call %(clinic)s."
)
REPLY_CANCELLED = _(
    "Your visit on %(when)s is cancelled. To book another time, call %(clinic)s."
)
REPLY_NOTHING_TO_CANCEL = _(
    "We found no upcoming visit to cancel; %(clinic)s will contact you."
)


def offer_answer(message: InboundMessage, *, keyword: str, clinic: str) -> bool:
    """YES to a waitlist offer: the first YES books the slot."""
    patient = message.patient
    if keyword not in YES_WORDS or patient is None:
        return False
    offer = open_offer_for(patient=patient, now=timezone.now())
    if offer is None:
        return False
    won, reply = waitlist_offer_answer_yes(offer=offer)
    message.action = (
        InboundMessage.Action.OFFER_ACCEPTED
        if won
        else InboundMessage.Action.OFFER_TAKEN
    )
    message.reply = reply
    return True


def next_visit_confirm(message: InboundMessage, *, keyword: str, clinic: str) -> bool:
    """C / YES confirms the patient's next visit (through scheduling's service)."""
    patient = message.patient
    if keyword not in CONFIRM_WORDS or patient is None:
        return False
    words = {"clinic": clinic}
    visit = (
        Appointment.objects.filter(
            patient=patient,
            status__in=Appointment.UPCOMING_STATUSES,
            start__gt=timezone.now(),
        )
        .order_by("start")
        .first()
    )
    if visit is None:
        message.action = InboundMessage.Action.TASK
        message.alert = alert_raise(
            kind="patient_reply",
            title=_("Text from %(who)s") % {"who": patient},
            message=_("Replied %(text)s but has no upcoming visit to confirm.")
            % {"text": message.body[:100]},
            patient=patient,
            role=FRONT_DESK,
        )
        message.reply = REPLY_NOTHING_TO_CONFIRM % words
        return True
    _confirmed(message, visit, clinic=clinic)
    return True


def reminder_reply(message: InboundMessage, *, keyword: str, clinic: str) -> bool:
    """C or X to the last reminder text: its visit is confirmed or cancelled; when
    the text named several visits, a plain C or X gets the question which one, and
    C1, X2... act on the one named so. A plain C to a reminder to the patient's own
    number that named one visit is left to ``next_visit_confirm``."""
    match = CHOICE.match(keyword)
    if match:
        letter, number = match[1], int(match[2])
    elif keyword in CONFIRM_WORDS or keyword in CANCEL_WORDS:
        letter, number = ("X" if keyword in CANCEL_WORDS else "C"), None
    else:
        return False
    lead = latest_reminder_to(
        number=message.from_number, since=timezone.now() - REPLY_WINDOW
    )
    if lead is None:
        return letter == "X" and _cancel_unclear(message, clinic=clinic)
    rows = group_rows(lead)
    if (number is None and len(rows) > 1) or (
        number is not None and not 1 <= number <= len(rows)
    ):
        message.patient = message.patient or rows[0].patient
        message.action = InboundMessage.Action.ASKED_WHICH
        message.reply = group_question(rows, language=lead.language, letter=letter)
        return True
    row = rows[(number or 1) - 1]
    if letter == "C" and number is None and row.contact_id is None:
        return False
    return _reminder_answer(message, row=row, clinic=clinic, cancel=letter == "X")


def _reminder_answer(message: InboundMessage, *, row, clinic: str, cancel: bool):
    patient = message.patient = row.patient
    if row.contact_id is not None and hooks.contact_unreachable_reason(
        row.contact, PatientContact.Permission.MANAGE_VISITS
    ):
        message.action = InboundMessage.Action.TASK
        message.alert = alert_raise(
            kind="patient_reply",
            title=_("Text from %(who)s") % {"who": row.contact},
            message=_(
                "Replied %(text)s but may not confirm or cancel visits for %(patient)s."
            )
            % {"text": message.body[:100], "patient": patient},
            patient=patient,
            role=FRONT_DESK,
        )
        message.reply = REPLY_NOT_PERMITTED % {
            "name": patient.preferred_name or patient.given_name,
            "clinic": clinic,
        }
        return True
    visit = row.appointment
    if visit.status not in Appointment.UPCOMING_STATUSES or visit.start <= (
        timezone.now()
    ):
        message.action = InboundMessage.Action.TASK
        nothing = REPLY_NOTHING_TO_CANCEL if cancel else REPLY_NOTHING_TO_CONFIRM
        message.reply = nothing % {"clinic": clinic}
        return True
    if cancel:
        by = row.contact.name if row.contact_id else _("the patient")
        _cancelled(message, visit, by=by, clinic=clinic)
    else:
        _confirmed(message, visit, clinic=clinic)
    return True


def _cancel_unclear(message: InboundMessage, *, clinic: str) -> bool:
    """X with no reminder of the last week to this number: nothing is cancelled on
    a guess; the front desk calls back."""
    if message.patient is None:
        return False
    message.action = InboundMessage.Action.TASK
    message.alert = alert_raise(
        kind="patient_reply",
        title=_("Text from %(who)s") % {"who": message.patient},
        message=_("Replied %(text)s to cancel, but no reminder names a visit.")
        % {"text": message.body[:100]},
        patient=message.patient,
        role=FRONT_DESK,
    )
    message.reply = REPLY_NOTHING_TO_CANCEL % {"clinic": clinic}
    return True


def _when(visit) -> str:
    return timezone.localtime(visit.start).strftime("%a %d %b at %H:%M")


def _confirmed(message: InboundMessage, visit, *, clinic: str) -> None:
    if visit.status == Appointment.Status.SCHEDULED:
        visit = appointment_confirm(appointment=visit, actor=None)
    message.action = InboundMessage.Action.CONFIRMED
    message.reply = REPLY_CONFIRMED % {"clinic": clinic, "when": _when(visit)}


def _cancelled(message: InboundMessage, visit, *, by, clinic: str) -> None:
    """The visit is cancelled (its time free at once, its history saying so) and the
    front desk gets a task that leads to it, to offer the time or rebook."""
    visit = appointment_cancel(
        appointment=visit,
        reason=_("Cancelled by text from %(who)s") % {"who": by},
        actor=None,
    )
    message.action = InboundMessage.Action.CANCELLED
    message.alert = alert_raise(
        kind="cancelled_by_text",
        title=_("Cancelled by text: %(patient)s, %(type)s on %(when)s")
        % {
            "patient": visit.patient,
            "type": visit.appointment_type.name,
            "when": _when(visit),
        },
        message=_("Replied %(text)s to the reminder, from %(number)s (%(who)s).")
        % {"text": message.body[:100], "number": message.from_number, "who": by},
        patient=visit.patient,
        subject=visit,
        role=FRONT_DESK,
    )
    message.reply = REPLY_CANCELLED % {"clinic": clinic, "when": _when(visit)}


def register() -> None:
    hooks.reply_handler_register(offer_answer)
    hooks.reply_handler_register(reminder_reply)
    hooks.reply_handler_register(next_visit_confirm)
