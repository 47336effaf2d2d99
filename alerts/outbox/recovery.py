"""Rows stuck in "sending" (their worker died mid-send), settled without ever
sending a second copy of a text that may have gone out (README, "Outbox")."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from alerts.channels import TemporaryError, sms_backend
from alerts.models import Notification
from alerts.outbox.sending import BATCH, MAX_ATTEMPTS
from alerts.outbox.statuses import N, failed_alert_raise

logger = logging.getLogger(__name__)

# A row in "sending" this long has lost its worker (longer than any send can take).
SENDING_TIMEOUT = timedelta(minutes=5)


def notifications_recover(*, now: datetime | None = None, backend=None) -> int:
    """Settle rows stuck in "sending" (their worker died mid-send).

    Never a second copy when the first may have gone out: an SMS is looked up in
    Twilio's message list (recipient, text, since it was claimed); found, its SID is
    adopted and the row is sent; not found, the row is pending again and sent once
    more. When the lookup fails the row stays for the next sweep. An e-mail cannot be
    looked up: it is marked failed ("may have been sent") for a person to resend.
    """
    now = now or timezone.now()
    settled, tried = 0, []
    while True:  # every stuck row (a worker dies with up to two batches claimed)
        done, batch = _recover_batch(now=now, backend=backend, tried=tried)
        settled += done
        tried += batch
        if len(batch) < BATCH:
            return settled


def _recover_batch(*, now, backend, tried: list[int]) -> tuple[int, list[int]]:
    with transaction.atomic():
        stuck = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=N.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
            # A reminder sent in another's text follows that row (group_follow).
            .filter(grouped_into__isnull=True)
            .exclude(pk__in=tried)
            .select_related("patient")
            .order_by("claimed_at")[:BATCH]
        )
        settled = 0
        for row in stuck:
            if row.channel == Notification.Channel.EMAIL:
                row.status = N.FAILED
                row.last_error = (
                    "interrupted while sending: the e-mail may have gone out, so it "
                    "was not sent again; resend it if the patient did not get it"
                )
                row._change_reason = "interrupted while sending"
                row.save()
                failed_alert_raise(row)
                settled += 1
                continue
            try:
                sid = (backend or sms_backend()).find_sent(
                    to=row.address,
                    since=row.claimed_at - timedelta(minutes=1),
                    body=row.body,
                )
            except TemporaryError as error:
                logger.warning("Cannot look up notification %s: %s", row.pk, error)
                continue
            if sid:
                row.status = N.SENT
                row.provider_message_id = sid
                row.sent_at = row.claimed_at
                row._change_reason = "interrupted; found at the provider, not resent"
            elif row.attempts >= MAX_ATTEMPTS:
                row.status = N.FAILED
                row.last_error = (
                    f"gave up after {row.attempts} tries; Twilio never had it: "
                    f"{row.last_error}"
                )[:2000]
                row._change_reason = "interrupted; not at the provider; gave up"
            else:
                row.status = N.PENDING
                row.due_at = row.claimed_at  # it was due then; due now too
                row._change_reason = "interrupted before the provider had it; retry"
            row.save()
            if row.status == N.FAILED:
                failed_alert_raise(row)
            settled += 1
    return settled, [row.pk for row in stuck]
