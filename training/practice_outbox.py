"""Where the practice clinic's texts and e-mails go instead of leaving the machine:
an SMS backend and a Django e-mail backend that keep each message as a
``PracticeMessage`` (listed on the practice outbox page). ``clinic/practice.py``
names them in the settings; nothing else needs to know."""

import uuid
from datetime import datetime

from django.core.mail.backends.base import BaseEmailBackend

from alerts.channels import Sent
from training.services import practice_message_keep


class PracticeSMS:
    """Looks like the Twilio backend to the outbox; the text stays here."""

    name = "practice"

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> Sent:
        practice_message_keep(channel="sms", to=to, body=body)
        return Sent(provider_id=f"practice-{uuid.uuid4().hex}", status="delivered")

    def find_sent(self, *, to: str, since: datetime, body: str) -> str | None:
        return None  # nothing left the machine: nothing to find at a provider


class PracticeEmailBackend(BaseEmailBackend):
    """Every e-mail (to patients and to staff) is kept, one row per recipient."""

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            for to in message.recipients():
                practice_message_keep(
                    channel="email", to=to, subject=message.subject, body=message.body
                )
        return len(email_messages)
