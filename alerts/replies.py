"""What a patient's text message means, and what the clinic does about it.

STOP and START, "call me back" and anything else (a task for the front desk) are
handled here; what a text means for a visit (C confirms it, YES takes a waitlist
offer) is scheduling's, asked through ``alerts.hooks.REPLY_HANDLERS``. The patient
is found, and STOP/START recorded, through registration's ports in ``alerts.hooks``.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from alerts import hooks
from alerts.models import InboundMessage, NumberConsent
from alerts.services import alert_raise, number_consent_record
from automations.events import publish
from clinic.permissions import FRONT_DESK

OPT_OUT_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
OPT_IN_WORDS = {"START", "UNSTOP"}
CALLBACK_WORDS = {"R", "CALL", "CALL ME"}

REPLY_OPTED_OUT = _(
    "You will get no more texts from %(clinic)s. Reply START to receive them again."
)
REPLY_OPTED_IN = _("You will get texts from %(clinic)s again. Reply STOP to stop.")
REPLY_CALLBACK = _("Thank you. Someone from %(clinic)s will call you back.")
REPLY_TASK = _("Thank you, %(clinic)s has your message and will answer soon.")
REPLY_UNKNOWN = _("This number is not on file at %(clinic)s. Please call the clinic.")


def _keyword(body: str) -> str:
    return " ".join(body.strip().upper().split())


def inbound_sms_handle(
    *, provider_id: str, from_number: str, to_number: str, body: str, clinic: str
) -> InboundMessage:
    """Each inbound text is handled once (Twilio may deliver a webhook twice)."""
    existing = InboundMessage.objects.filter(provider_id=provider_id).first()
    if existing is not None:
        return existing
    words = {"clinic": clinic}
    keyword = _keyword(body)
    patient = hooks.patient_by_mobile(from_number)
    message = InboundMessage(
        provider_id=provider_id,
        from_number=from_number,
        to_number=to_number,
        body=body[:1600],
        patient=patient,
    )
    try:
        with transaction.atomic():
            if keyword in OPT_OUT_WORDS or keyword in OPT_IN_WORDS:
                # The number, not a person: every patient and contact on it.
                number_consent_record(
                    number=from_number,
                    allowed=keyword in OPT_IN_WORDS,
                    source=NumberConsent.Source.REPLY,
                    how=f"replied {keyword}",
                )
            if keyword in OPT_OUT_WORDS:
                message.action = InboundMessage.Action.OPTED_OUT
                message.reply = REPLY_OPTED_OUT % words
            elif keyword in OPT_IN_WORDS:
                message.action = InboundMessage.Action.OPTED_IN
                message.reply = REPLY_OPTED_IN % words
            elif _handled_elsewhere(message, keyword=keyword, clinic=clinic):
                pass
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


def _handled_elsewhere(message: InboundMessage, *, keyword: str, clinic: str) -> bool:
    """True when an upper app's handler recognised the text (the first one wins)."""
    return any(
        handler(message, keyword=keyword, clinic=clinic)
        for handler in hooks.REPLY_HANDLERS
    )
