"""What a patient's text message means, and what the clinic does about it."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from alerts.models import InboundMessage
from alerts.services import alert_raise
from automations.events import publish
from clinic.permissions import FRONT_DESK

OPT_OUT_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
OPT_IN_WORDS = {"START", "UNSTOP"}
CONFIRM_WORDS = {"C", "YES", "Y", "CONFIRM"}
CALLBACK_WORDS = {"R", "CALL", "CALL ME"}

REPLY_OPTED_OUT = _(
    "You will get no more texts from %(clinic)s. Reply START to receive them again."
)
REPLY_OPTED_IN = _("You will get texts from %(clinic)s again. Reply STOP to stop.")
REPLY_CALLBACK = _("Thank you. Someone from %(clinic)s will call you back.")
REPLY_TASK = _("Thank you, %(clinic)s has your message and will answer soon.")
REPLY_UNKNOWN = _("This number is not on file at %(clinic)s. Please call the clinic.")
REPLY_CONFIRMED = _("Thank you, your visit on %(when)s is confirmed. %(clinic)s")
REPLY_NOTHING_TO_CONFIRM = _(
    "We found no upcoming visit to confirm; %(clinic)s will contact you."
)
YES_WORDS = {"YES", "Y"}


def _keyword(body: str) -> str:
    return " ".join(body.strip().upper().split())


def find_patient_by_phone(number: str):
    from registration.models import Patient

    return (
        Patient.objects.filter(phone_mobile=number)
        .exclude(status=Patient.Status.MERGED)
        .order_by("-id")
        .first()
    )


def inbound_sms_handle(
    *, provider_id: str, from_number: str, to_number: str, body: str, clinic: str
) -> InboundMessage:
    """Each inbound text is handled once (Twilio may deliver a webhook twice)."""
    from registration.services import patient_sms_opt_in, patient_sms_opt_out

    existing = InboundMessage.objects.filter(provider_id=provider_id).first()
    if existing is not None:
        return existing
    words = {"clinic": clinic}
    keyword = _keyword(body)
    patient = find_patient_by_phone(from_number)
    message = InboundMessage(
        provider_id=provider_id,
        from_number=from_number,
        to_number=to_number,
        body=body[:1600],
        patient=patient,
    )
    try:
        with transaction.atomic():
            if keyword in OPT_OUT_WORDS:
                if patient is not None:
                    patient_sms_opt_out(patient=patient, how=f"replied {keyword}")
                message.action = InboundMessage.Action.OPTED_OUT
                message.reply = REPLY_OPTED_OUT % words
            elif keyword in OPT_IN_WORDS:
                if patient is not None:
                    patient_sms_opt_in(patient=patient, how=f"replied {keyword}")
                message.action = InboundMessage.Action.OPTED_IN
                message.reply = REPLY_OPTED_IN % words
            elif keyword in YES_WORDS and _answer_offer(message, patient):
                pass
            elif keyword in CONFIRM_WORDS and patient is not None:
                _confirm_next_visit(message, patient, words)
            elif keyword in CALLBACK_WORDS:
                message.action = InboundMessage.Action.CALLBACK
                message.alert = alert_raise(
                    kind="callback_request",
                    title=_("Call back %(who)s") % {"who": patient or from_number},
                    message=_("Asked by text for a call back at %(number)s.")
                    % {"number": from_number},
                    patient=patient,
                    role=FRONT_DESK,
                )
                message.reply = REPLY_CALLBACK % words
            else:
                message.action = InboundMessage.Action.TASK
                message.alert = alert_raise(
                    kind="patient_reply",
                    title=_("Text from %(who)s") % {"who": patient or from_number},
                    message=body[:1600],
                    patient=patient,
                    role=FRONT_DESK,
                )
                message.reply = (REPLY_TASK if patient else REPLY_UNKNOWN) % words
            message.save()
            publish("patient.replied", patient=patient, subject=message)
    except IntegrityError:
        # The same webhook, delivered twice at the same moment: the first one stands.
        return InboundMessage.objects.get(provider_id=provider_id)
    return message


def _answer_offer(message: InboundMessage, patient) -> bool:
    """YES to a waitlist offer: the first YES books the slot."""
    from django.utils import timezone

    from alerts.offers import open_offer_for, waitlist_offer_answer_yes

    if patient is None:
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


def _confirm_next_visit(message: InboundMessage, patient, words: dict) -> None:
    """C / YES confirms the patient's next visit (through scheduling's service)."""
    from django.utils import timezone

    from scheduling.models import Appointment
    from scheduling.services import appointment_confirm

    S = Appointment.Status
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
        return
    if visit.status == S.SCHEDULED:
        visit = appointment_confirm(appointment=visit, actor=None)
    message.action = InboundMessage.Action.CONFIRMED
    message.reply = REPLY_CONFIRMED % {
        **words,
        "when": timezone.localtime(visit.start).strftime("%a %d %b at %H:%M"),
    }
