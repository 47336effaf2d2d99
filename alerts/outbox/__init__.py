"""The outbox's sender: takes due rows and sends them through a channel backend.

* ``sending``: claim due rows (``SKIP LOCKED``, committed as ``sending`` before the
  network call), check them again, send, write the outcome; retries with backoff.
* ``statuses``: how far each status is along (a status never moves back) and the
  writing of an outcome.
* ``delivery_status``: Twilio's delivery callbacks.
* ``recovery``: rows left in ``sending`` by a dead worker (README, "Outbox").

What may stop a message that alerts cannot judge itself (the patient's status, a
reminder's visit, quiet hours) comes from ``alerts.hooks``.
"""

from alerts.outbox.delivery_status import delivery_status_record, status_callback_url
from alerts.outbox.recovery import SENDING_TIMEOUT, notifications_recover
from alerts.outbox.sending import (
    BATCH,
    MAX_ATTEMPTS,
    due_count,
    notification_deliver,
    notification_send,
    notifications_claim,
    notifications_send_due,
    retry_delay,
)

__all__ = [
    "BATCH",
    "MAX_ATTEMPTS",
    "SENDING_TIMEOUT",
    "delivery_status_record",
    "due_count",
    "notification_deliver",
    "notification_send",
    "notifications_claim",
    "notifications_recover",
    "notifications_send_due",
    "retry_delay",
    "status_callback_url",
]
