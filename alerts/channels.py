"""How a message leaves the clinic: SMS through Twilio (or the console), e-mail.

Backends classify failures so the sender knows what to do next: a temporary error
is retried with backoff, a permanent one is not, and an opt-out marks the patient.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Twilio error codes (https://www.twilio.com/docs/api/errors)
TWILIO_UNSUBSCRIBED = 21610
TWILIO_INVALID_NUMBERS = {21211, 21214, 21217, 21407, 21408, 21421, 21612, 21614}


@dataclass(frozen=True)
class Sent:
    provider_id: str
    status: str  # the provider's first status, e.g. "queued", "sent"


class ChannelError(Exception):
    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code


class TemporaryError(ChannelError):
    """Worth another try later (timeout, 5xx, connection refused)."""


class MaybeSent(TemporaryError):
    """The request left but no answer came back (a read timeout, a connection lost
    mid-way): the provider may have the message, so it is looked up before any
    resend."""


class PermanentError(ChannelError):
    """Will fail the same way again (invalid number, refused content)."""


class OptedOut(PermanentError):
    """The recipient unsubscribed (replied STOP) at the carrier or Twilio."""


class ConsoleSMS:
    """The embedded default: the message is logged and shows in the outbox page."""

    name = "console"

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> Sent:
        logger.info("SMS to %s: %s", to, body)
        return Sent(provider_id=f"console-{uuid.uuid4().hex}", status="delivered")

    def find_sent(self, *, to: str, since: datetime, body: str) -> str | None:
        return None  # console messages never leave the process


# Messages to one number read back when looking for a text that may have gone out.
LOOKUP_LIMIT = 50


class TwilioSMS:
    """The real twilio client; TWILIO_API_BASE points it at another server."""

    name = "twilio"

    def __init__(self):
        # twilio's REST client takes ~80 ms to import: only this backend loads it.
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT_SECONDS),
        )
        if settings.TWILIO_API_BASE:
            self.client.api.base_url = settings.TWILIO_API_BASE.rstrip("/")
        self.from_number = settings.TWILIO_FROM_NUMBER

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> Sent:
        # Loaded with the twilio client (see __init__), not by the console backend.
        from requests.exceptions import RequestException
        from twilio.base.exceptions import TwilioRestException

        options = {"status_callback": status_callback} if status_callback else {}
        try:
            message = self.client.messages.create(
                to=to, from_=self.from_number, body=body, **options
            )
        except TwilioRestException as exc:
            text = f"Twilio {exc.status} error {exc.code}: {exc.msg}"
            if exc.code == TWILIO_UNSUBSCRIBED:
                raise OptedOut(text, exc.code) from exc
            if exc.status >= 500 or exc.status == 429:
                raise TemporaryError(text, exc.code) from exc
            raise PermanentError(text, exc.code) from exc
        except RequestException as exc:
            if _never_left(exc):
                raise TemporaryError(
                    f"Twilio did not answer: {exc.__class__.__name__}"
                ) from exc
            raise MaybeSent(
                f"Twilio did not answer in time ({exc.__class__.__name__}): the "
                "text may have gone out"
            ) from exc
        return Sent(provider_id=message.sid, status=message.status or "queued")

    def find_sent(self, *, to: str, since: datetime, body: str) -> str | None:
        """The SID of a message already sent to ``to`` with ``body`` since ``since``.

        Twilio takes no idempotency key: before sending again after a crash, look the
        message up so a patient never gets two copies.
        """
        # Loaded with the twilio client (see __init__), not by the console backend.
        from requests.exceptions import RequestException
        from twilio.base.exceptions import TwilioRestException

        # Not filtered by DateSent on Twilio's side: a message still queued there
        # (a number's send rate holds it back) has no date_sent yet and would be
        # missed, then sent twice. Recent messages to the number, by creation time.
        try:
            messages = self.client.messages.list(
                to=to, from_=self.from_number, limit=LOOKUP_LIMIT
            )
        except (TwilioRestException, RequestException) as exc:
            raise TemporaryError(f"Twilio message lookup failed: {exc}") from exc
        for message in messages:
            created = message.date_created or message.date_sent
            if created is not None and created < since:
                continue
            if (message.body or "").strip() == body.strip():
                return message.sid
        return None


def _never_left(exc) -> bool:
    """True when the request cannot have reached the provider: no connection was
    ever made (refused, unknown host, connect timeout)."""
    # Loaded with the twilio client (see TwilioSMS.__init__), only when it is used.
    from requests.exceptions import ConnectionError, ConnectTimeout
    from urllib3.exceptions import NewConnectionError

    if isinstance(exc, ConnectTimeout):
        return True
    if isinstance(exc, ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return isinstance(reason, NewConnectionError)
    return False


def sms_backend():
    """Twilio (``"twilio"``), the console (the default), or the class at a dotted
    path (the practice clinic's, which keeps its texts)."""
    if settings.SMS_BACKEND == "twilio":
        return TwilioSMS()
    if "." in settings.SMS_BACKEND:
        return import_string(settings.SMS_BACKEND)()
    return ConsoleSMS()


def send_email(*, to: str, subject: str, body: str) -> Sent:
    """E-mail through Django's backend (SMTP in production, console by default)."""
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except OSError as exc:
        raise TemporaryError(f"Mail server did not take the message: {exc}") from exc
    return Sent(provider_id=f"email-{uuid.uuid4().hex}", status="sent")
