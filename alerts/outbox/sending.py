"""Sending: due rows are claimed, checked again, sent, and their outcome written.

A row is claimed (``SKIP LOCKED``, status ``sending``, committed) before the network
call and its result written after it, so two senders never take the same row.
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import hooks
from alerts.channels import (
    ChannelError,
    MaybeSent,
    OptedOut,
    Sent,
    TemporaryError,
    send_email,
    sms_backend,
)
from alerts.models import Notification, NumberConsent
from alerts.outbox.delivery_status import status_callback_url
from alerts.outbox.grouping import group_gather
from alerts.outbox.statuses import N, outcome_write, sent_batch_record, sent_fields
from alerts.services import number_consent_record
from alerts.texting import email_allowed, number_reach, numbers_reach
from clinic.history import rows_save

logger = logging.getLogger(__name__)

BATCH = 100
# Network calls at once within a batch (each thread keeps its own HTTP session).
SEND_THREADS = 8
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 30


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min... after the 1st, 2nd, 3rd, 4th failed try."""
    return timedelta(seconds=RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


# --- Claiming ---------------------------------------------------------------------


def notifications_claim(
    *, now: datetime, limit: int = BATCH, ids: list[int] | None = None
) -> list[Notification]:
    """Take up to ``limit`` due pending rows for this process (others skip them),
    with the patient, visit and rule a send reads."""
    with transaction.atomic():
        due = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("patient", "contact", "appointment", "rule")
            .filter(status=N.PENDING, due_at__lte=now)
        )
        if ids is not None:
            due = due.filter(pk__in=ids)
        rows = list(due.order_by("due_at", "id")[:limit])
        for row in rows:
            row.status = N.SENDING
            row.claimed_at = now
            row.attempts += 1
            row._change_reason = f"sending, attempt {row.attempts}"
        rows_save(rows, ["status", "claimed_at", "attempts"])
    return rows


# --- Deciding and sending ---------------------------------------------------------


def _hold(row: Notification, now: datetime) -> hooks.Stop | hooks.Later | None:
    """Why a claimed row must not go now (or at all): its patient may get no
    message, its contact may not get this kind (no permission, consent run out),
    or a hook says so (a reminder whose visit is gone, quiet hours)."""
    reason = hooks.patient_unreachable_reason(row.patient)
    if not reason and row.contact_id is not None:
        reason = hooks.contact_unreachable_reason(row.contact, row.purpose)
    if reason:
        return hooks.Stop(N.SKIPPED, reason)
    for hold in hooks.SEND_HOLDS:
        answer = hold(row, now)
        if answer is not None:
            return answer
    return None


def _recipient(row: Notification):
    return row.contact if row.contact_id is not None else row.patient


def _choose_channel(row: Notification) -> tuple[str, str] | str:
    """(channel, address) to use, or the reason nothing may be sent. Whether a
    number may be texted is the number's consent (``alerts.texting``)."""
    recipient = _recipient(row)
    email = recipient.email if email_allowed(recipient.email) else ""
    if row.channel == Notification.Channel.SMS:
        reach = getattr(row, "_reach", None) or number_reach(recipient.phone_mobile)
        if reach.allowed:
            return Notification.Channel.SMS, reach.number
        why = "no mobile number" if not reach.number else "no consent to texts"
        if row.email_fallback and email:
            return Notification.Channel.EMAIL, email
        return f"{why} and no e-mail to fall back to"
    if email:
        return Notification.Channel.EMAIL, email
    return "no e-mail address"


def _prepare(
    row: Notification, now: datetime, waiting: set[int] = frozenset()
) -> dict | None:
    """Where and how a claimed row goes, or None when it must not go now (the row
    is then written: cancelled, skipped or back to pending). A text takes along
    the reminders that go in it (pending, or claimed in the same batch and still
    ``waiting``: those are removed from the set)."""
    hold = _hold(row, now)
    if isinstance(hold, hooks.Stop):
        outcome_write(row, hold.status, reason=hold.reason)
        return None
    if isinstance(hold, hooks.Later):
        outcome_write(row, N.PENDING, reason=hold.reason, due_at=hold.until, attempts=0)
        return None
    choice = _choose_channel(row)
    if isinstance(choice, str):
        outcome_write(row, N.SKIPPED, reason=choice)
        return None
    channel, address = choice
    fields = {"channel": channel, "address": address}
    if channel == Notification.Channel.SMS:
        gathered = group_gather(
            row,
            address=address,
            now=now,
            claimed=waiting,
            may_go=lambda other: not _hold(other, now),
        )
        if isinstance(waiting, set):
            waiting.difference_update(other.pk for other in gathered)
    if channel != row.channel and not row.subject:
        fields["subject"] = _("Message from %(clinic)s") % {
            "clinic": settings.CLINIC_NAME
        }
    return fields


def _transmit(row: Notification, fields: dict, backend) -> Sent | ChannelError:
    """The network call only (no database): safe in a worker thread."""
    try:
        if fields["channel"] == Notification.Channel.SMS:
            return backend.send(
                to=fields["address"],
                body=row.body,
                status_callback=status_callback_url(row),
            )
        return send_email(
            to=fields["address"],
            subject=fields.get("subject", row.subject),
            body=row.body,
        )
    except ChannelError as error:
        return error


def _record(row: Notification, outcome, fields: dict, *, now: datetime) -> str:
    if isinstance(outcome, OptedOut):
        return _opted_out(row, outcome, now=now, fields=fields)
    if isinstance(outcome, MaybeSent):
        # Never resent blindly: the row stays "sending" and, once SENDING_TIMEOUT
        # has passed, notifications_recover looks it up at Twilio (adopts its SID
        # or sends it once more).
        outcome_write(row, N.SENDING, reason=outcome.message, **fields)
        return row.status
    if isinstance(outcome, TemporaryError):
        if row.attempts >= MAX_ATTEMPTS:
            outcome_write(row, N.FAILED, reason=f"gave up: {outcome.message}", **fields)
        else:
            outcome_write(
                row,
                N.PENDING,
                reason=outcome.message,
                due_at=now + retry_delay(row.attempts),
                **fields,
            )
        return row.status
    if isinstance(outcome, ChannelError):
        outcome_write(row, N.FAILED, reason=outcome.message, **fields)
        return row.status
    status, sent = sent_fields(outcome)
    outcome_write(row, status, **sent, **fields)
    return row.status


def notification_deliver(row: Notification, *, now: datetime, backend=None) -> str:
    """Send one claimed row and record what happened. Returns the row's status."""
    fields = _prepare(row, now)
    if fields is None:
        return row.status
    outcome = _transmit(row, fields, backend or sms_backend())
    return _record(row, outcome, fields, now=now)


def _opted_out(row, error, *, now, fields) -> str:
    """Twilio says the number unsubscribed (21610): the number is opted out (for
    everyone on it), the text is not retried; the message goes by e-mail when that
    is allowed."""
    number_consent_record(
        number=fields["address"],
        allowed=False,
        source=NumberConsent.Source.CARRIER,
        how=f"Twilio error {error.code}",
    )
    if row.email_fallback and _recipient(row).email:
        retry = replace_row_for_email(row)
        return notification_deliver(retry, now=now)
    outcome_write(row, N.FAILED, reason=f"opted out: {error.message}", **fields)
    return row.status


def replace_row_for_email(row: Notification) -> Notification:
    """The same row, to go out again now by e-mail (the text never left)."""
    row.channel = Notification.Channel.EMAIL
    row.address = _recipient(row).email
    row._change_reason = "opted out of texts: by e-mail instead"
    row.save(update_fields=["channel", "address"])
    return row


# --- Loops and jobs ---------------------------------------------------------------


def notification_send(*, notification_id: int, now: datetime | None = None) -> str:
    """Send one row now if it is due and nobody else has it."""
    now = now or timezone.now()
    rows = notifications_claim(now=now, limit=1, ids=[notification_id])
    if not rows:
        return ""
    return notification_deliver(rows[0], now=now)


def notifications_send_due(
    *, now: datetime | None = None, max_rows: int | None = None
) -> int:
    """Send due rows in batches until none is left (or ``max_rows`` were taken).

    Within a batch the network calls run on ``SEND_THREADS`` threads (a real
    Twilio answers in 100-300 ms); every database write stays on this thread, and
    it claims the next batch and writes the previous one's results while a batch
    is on the network. Every row is claimed (committed as "sending") before its
    network call starts.
    """
    taken = 0
    in_flight = None  # the batch whose network calls are running
    with ThreadPoolExecutor(max_workers=SEND_THREADS) as pool:
        while True:
            rows = []
            if max_rows is None or taken < max_rows:
                moment = now or timezone.now()
                rows = notifications_claim(
                    now=moment,
                    limit=BATCH if max_rows is None else min(BATCH, max_rows - taken),
                )
                taken += len(rows)
            started = None
            if rows:
                try:
                    started = _start_batch(rows, now=moment, pool=pool)
                except Exception:
                    # Rows left in "sending" are settled by notifications_recover.
                    logger.exception("Sending a batch of notifications failed")
            # While this batch is on the network, write the previous one's results.
            if in_flight is not None:
                _finish_batch_safely(in_flight)
            in_flight = started
            if not rows:
                break
        if in_flight is not None:
            _finish_batch_safely(in_flight)
    return taken


_local = threading.local()


def _thread_backend():
    backend = getattr(_local, "backend", None)
    if backend is None or getattr(_local, "settings", None) != _backend_key():
        _local.backend, _local.settings = sms_backend(), _backend_key()
    return _local.backend


def _backend_key() -> tuple:
    return (settings.SMS_BACKEND, settings.TWILIO_API_BASE, settings.TWILIO_ACCOUNT_SID)


def _start_batch(rows: list[Notification], *, now: datetime, pool) -> tuple:
    """Decide each claimed row, start the network calls (on the pool's threads)."""
    ready = []
    waiting = {row.pk for row in rows}
    # Every number's consent in one query (not one per row).
    numbers = [_recipient(row).phone_mobile for row in rows]
    answers = numbers_reach([number for number in numbers if number])
    for row, number in zip(rows, numbers, strict=True):
        row._reach = answers.get(str(number)) if number else None
    for row in rows:
        if row.pk not in waiting:
            continue  # it went in an earlier row's text
        waiting.discard(row.pk)
        fields = _prepare(row, now, waiting)
        if fields is not None:
            ready.append((row, fields))
    futures = [
        pool.submit(lambda r, f: _transmit(r, f, _thread_backend()), row, fields)
        for row, fields in ready
    ]
    return ready, futures, now


def _finish_batch(batch: tuple) -> None:
    """Wait for a started batch's network calls and write every outcome."""
    ready, futures, now = batch
    sent = []
    for (row, fields), future in zip(ready, futures, strict=True):
        outcome = future.result()
        if isinstance(outcome, Sent):
            sent.append((row, outcome, fields))
        else:
            _record(row, outcome, fields, now=now)
    if sent:
        sent_batch_record(sent)


def _finish_batch_safely(batch: tuple) -> None:
    try:
        _finish_batch(batch)
    except Exception:
        # Rows left in "sending" are settled by notifications_recover.
        logger.exception("Sending a batch of notifications failed")


def due_count(*, now: datetime) -> int:
    return Notification.objects.filter(status=N.PENDING, due_at__lte=now).count()
