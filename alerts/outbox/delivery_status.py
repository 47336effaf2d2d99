"""Twilio's delivery callbacks: where Twilio is told to call, and what a call
changes."""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from alerts.channels import TWILIO_UNSUBSCRIBED
from alerts.models import Notification, NumberConsent
from alerts.outbox.statuses import RANK, TWILIO_STATUSES, N, failed_alert_raise
from alerts.services import number_consent_record

logger = logging.getLogger(__name__)


def status_callback_url(notification: Notification) -> str | None:
    base = settings.TWILIO_WEBHOOK_BASE_URL
    if not base:
        return None  # Twilio could not reach us; delivery stays "sent"
    path = reverse("twilio-status")
    return f"{base.rstrip('/')}{path}?n={notification.pk}"


def delivery_status_record(
    *,
    provider_id: str,
    provider_status: str,
    error_code: str = "",
    notification_id: int | None = None,
) -> Notification | None:
    """A delivery callback moves the row forward, never back: a duplicate, or a
    "sent" arriving after "delivered", changes nothing. A callback about another
    message than the row's own (its MessageSid is not the row's sid, say the first
    copy of a text sent again) changes nothing either."""
    target = TWILIO_STATUSES.get(provider_status.lower())
    with transaction.atomic():
        rows = Notification.objects.select_for_update()
        row = None
        if notification_id is not None:
            row = rows.filter(pk=notification_id).first()
            if row is not None and row.provider_message_id not in ("", provider_id):
                logger.warning(
                    "Ignored a status callback for notification %s: its MessageSid "
                    "%r is not the row's %r",
                    row.pk,
                    provider_id,
                    row.provider_message_id,
                )
                return None
        if row is None and provider_id:
            row = rows.filter(provider_message_id=provider_id).first()
        if row is None or target is None:
            return row
        if RANK[target] <= RANK[row.status]:
            return row
        row.status = target
        row.provider_status = provider_status.lower()
        if provider_id and not row.provider_message_id:
            row.provider_message_id = provider_id
        now = timezone.now()
        if target == N.DELIVERED:
            row.delivered_at = now
        if target in (N.FAILED, N.UNDELIVERABLE):
            row.last_error = f"Twilio status {provider_status}, error {error_code}"
        row._change_reason = f"provider says {provider_status}"[:100]
        row.save()
        if target in (N.FAILED, N.UNDELIVERABLE):
            if error_code == str(TWILIO_UNSUBSCRIBED):
                number_consent_record(
                    number=row.address,
                    allowed=False,
                    source=NumberConsent.Source.CARRIER,
                    how="Twilio error 21610",
                )
            failed_alert_raise(row)
    return row
