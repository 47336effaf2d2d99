"""What a patient's text means for their visits.

alerts handles every inbound text (``alerts.replies``); ``SchedulingConfig.ready``
adds these handlers to ``alerts.hooks.REPLY_HANDLERS``, asked in this order: YES
takes an open waitlist offer, C (or YES with no offer) confirms the next visit.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import hooks
from alerts.models import InboundMessage
from alerts.services import alert_raise
from clinic.permissions import FRONT_DESK
from scheduling.models import Appointment
from scheduling.services import appointment_confirm
from scheduling.waitlist_offers import open_offer_for, waitlist_offer_answer_yes

CONFIRM_WORDS = {"C", "YES", "Y", "CONFIRM"}
YES_WORDS = {"YES", "Y"}

REPLY_CONFIRMED = _("Thank you, your visit on %(when)s is confirmed. %(clinic)s")
REPLY_NOTHING_TO_CONFIRM = _(
    "We found no upcoming visit to confirm; %(clinic)s will contact you."
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
    if visit.status == Appointment.Status.SCHEDULED:
        visit = appointment_confirm(appointment=visit, actor=None)
    message.action = InboundMessage.Action.CONFIRMED
    message.reply = REPLY_CONFIRMED % {
        **words,
        "when": timezone.localtime(visit.start).strftime("%a %d %b at %H:%M"),
    }
    return True


def register() -> None:
    hooks.reply_handler_register(offer_answer)
    hooks.reply_handler_register(next_visit_confirm)
