"""Writes of messaging consent: a mobile number's (and an e-mail address's)
opt-in or opt-out, with where it came from. Read it through ``alerts.texting``."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.exceptions import NUMBER_STOPPED, NumberStopped
from alerts.models import AddressConsent, EmailConsent, NumberConsent

S = AddressConsent.Source
# An opt-out only the phone itself may lift (Twilio keeps blocking until START).
STOP_SOURCES = (S.REPLY, S.CARRIER)
UNKNOWN_SOURCE = _("Unknown consent source %(source)s.")


def number_normalise(number) -> str:
    """A number as the phone fields store it (E.164); "" for nothing; the text
    as given, stripped, when it is no phone number at all."""
    text = str(number or "").strip()
    if not text:
        return ""
    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return text
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _record(model, key: dict, *, allowed: bool, source: str, how: str, actor):
    """Write an address's consent; None when there is no address."""
    if not next(iter(key.values())):
        return None
    if source not in S.values:
        raise ValidationError({"source": UNKNOWN_SOURCE % {"source": source}})
    state = AddressConsent.State.OPTED_IN if allowed else AddressConsent.State.OPTED_OUT
    with transaction.atomic():
        row = model.objects.select_for_update().filter(**key).first()
        if row is None:
            row = model(**key)
        elif (
            allowed
            and not row.allowed
            and row.source in STOP_SOURCES
            and source not in STOP_SOURCES
        ):
            raise NumberStopped(
                NUMBER_STOPPED
                % {
                    "number": next(iter(key.values())),
                    "since": timezone.localtime(row.changed_at).strftime("%d %b %Y"),
                }
            )
        elif row.state == state:
            return row
        row.state, row.source, row.how = state, source, how[:300]
        row.changed_by = actor
        row.changed_at = timezone.now()
        row._change_reason = f"{row.get_state_display()}: {how or source}"[:100]
        row.save()
    return row


def number_consent_record(
    *, number, allowed: bool, source: str, how: str = "", actor=None
) -> NumberConsent | None:
    """A number's consent to texts, with its source. A number opted out by STOP
    (or by the carrier) is opted in again only by START from that phone
    (``NumberStopped`` otherwise). Everyone on the number follows it: every
    patient and contact whose mobile number it is. None for no number."""
    number = number_normalise(number)
    return _record(NumberConsent, {"number": number}, **_how(locals()))


def email_consent_record(
    *, address: str, allowed: bool, source: str, how: str = "", actor=None
) -> EmailConsent | None:
    """An e-mail address's opt-out (or its lifting), with its source."""
    address = (address or "").strip().lower()
    return _record(EmailConsent, {"address": address}, **_how(locals()))


def _how(arguments: dict) -> dict:
    return {k: arguments[k] for k in ("allowed", "source", "how", "actor")}
