"""The sender: takes due outbox rows and sends them through a channel backend.

A row is claimed (``SKIP LOCKED``, status ``sending``, committed) before the network
call and its result written after it, so two senders never take the same row. A
row left in ``sending`` (its worker died) is settled by ``notifications_recover``:
see the README's "Outbox" section for the rule.
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts import quiet_hours as reminders  # LAST_CALL, quiet_hours_end, clinic_zone
from alerts.channels import (
    ChannelError,
    MaybeSent,
    OptedOut,
    Sent,
    TemporaryError,
    send_email,
    sms_backend,
)
from alerts.models import Notification
from clinic.history import rows_save

logger = logging.getLogger(__name__)

N = Notification.Status
BATCH = 100
# Network calls at once within a batch (each thread keeps its own HTTP session).
SEND_THREADS = 8
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 30
# A row in "sending" this long has lost its worker (longer than any send can take).
SENDING_TIMEOUT = timedelta(minutes=5)

# How far each status is along the way; a status never moves back (callbacks may
# arrive twice or out of order).
RANK = {
    N.PENDING: 0,
    N.SENDING: 1,
    N.SENT: 2,
    N.DELIVERED: 3,
    N.UNDELIVERABLE: 3,
    N.FAILED: 3,
    N.CANCELLED: 3,
    N.SKIPPED: 3,
}
TWILIO_STATUSES = {
    "accepted": N.SENT,
    "scheduled": N.SENT,
    "queued": N.SENT,
    "sending": N.SENT,
    "sent": N.SENT,
    "delivered": N.DELIVERED,
    "read": N.DELIVERED,
    "undelivered": N.UNDELIVERABLE,
    "failed": N.FAILED,
}


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min... after the 1st, 2nd, 3rd, 4th failed try."""
    return timedelta(seconds=RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def status_callback_url(notification: Notification) -> str | None:
    base = settings.TWILIO_WEBHOOK_BASE_URL
    if not base:
        return None  # Twilio could not reach us; delivery stays "sent"
    path = reverse("twilio-status")
    return f"{base.rstrip('/')}{path}?n={notification.pk}"


# --- Claiming ---------------------------------------------------------------------


def notifications_claim(
    *, now: datetime, limit: int = BATCH, ids: list[int] | None = None
) -> list[Notification]:
    """Take up to ``limit`` due pending rows for this process (others skip them),
    with the patient, visit and rule a send reads."""
    with transaction.atomic():
        due = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("patient", "appointment", "rule")
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


def _why_not_now(row: Notification, now: datetime) -> tuple[str, str] | None:
    """(status, reason) when a reminder must not go out (now or at all)."""
    from registration.models import Patient
    from scheduling.models import Appointment

    if row.patient.status != Patient.Status.ACTIVE:
        return N.SKIPPED, f"patient {row.patient.get_status_display().lower()}"
    appointment = row.appointment
    if row.rule_id is not None and not row.rule.is_active:
        return N.CANCELLED, "reminder rule switched off"
    if appointment is not None and row.rule_id is not None:
        if appointment.status not in Appointment.UPCOMING_STATUSES:
            return N.CANCELLED, f"visit {appointment.get_status_display().lower()}"
        if appointment.start != row.appointment_start:
            return N.CANCELLED, "visit moved"
        if appointment.start - reminders.LAST_CALL <= now:
            return N.CANCELLED, "too late: the visit is about to start"
    return None


def _quiet_until(row: Notification, now: datetime) -> datetime | None:
    """A reminder due inside its rule's quiet hours (the sender was down) waits."""
    rule = row.rule
    if rule is None:
        return None
    later = reminders.quiet_hours_end(
        now,
        quiet_start=rule.quiet_start,
        quiet_end=rule.quiet_end,
        zone=reminders.clinic_zone(),
    )
    return later if later > now else None


def _choose_channel(row: Notification) -> tuple[str, str] | str:
    """(channel, address) to use, or the reason nothing may be sent."""
    patient = row.patient
    if row.channel == Notification.Channel.SMS:
        if patient.sms_consent and patient.phone_mobile:
            return Notification.Channel.SMS, str(patient.phone_mobile)
        why = "no mobile number" if not patient.phone_mobile else "no consent to texts"
        if row.email_fallback and patient.email:
            return Notification.Channel.EMAIL, patient.email
        return f"{why} and no e-mail to fall back to"
    if patient.email:
        return Notification.Channel.EMAIL, patient.email
    return "no e-mail address"


def _finish(row: Notification, status: str, *, reason: str = "", **fields) -> None:
    """Write a send's outcome; a status already further along (a delivery callback
    that came first) is kept."""
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=row.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        if RANK[status] > RANK[locked.status] or (
            locked.status == N.SENDING and status == N.PENDING
        ):
            locked.status = status
        if reason:
            locked.last_error = reason[:2000]
        locked._change_reason = (reason or status)[:100]
        locked.save()
        if locked.status == N.FAILED:
            _raise_failed_alert(locked)
    row.__dict__.update(locked.__dict__)


def _raise_failed_alert(row: Notification) -> None:
    from alerts.services import alert_raise
    from clinic.permissions import FRONT_DESK

    alert_raise(
        kind="message_failed",
        title=_("Message to %(who)s not delivered") % {"who": row.patient},
        message=f"{row.body[:300]}\n\n{row.last_error}",
        patient=row.patient,
        subject=row,
        role=FRONT_DESK,
        key=f"notification-failed:{row.pk}",
    )


def _prepare(row: Notification, now: datetime) -> dict | None:
    """Where and how a claimed row goes, or None when it must not go now (the row
    is then written: cancelled, skipped or back to pending)."""
    stop = _why_not_now(row, now)
    if stop is not None:
        _finish(row, stop[0], reason=stop[1])
        return None
    later = _quiet_until(row, now)
    if later is not None:
        _finish(row, N.PENDING, reason="quiet hours", due_at=later, attempts=0)
        return None
    choice = _choose_channel(row)
    if isinstance(choice, str):
        _finish(row, N.SKIPPED, reason=choice)
        return None
    channel, address = choice
    fields = {"channel": channel, "address": address}
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


def _sent_fields(sent: Sent) -> tuple[str, dict]:
    status = TWILIO_STATUSES.get(sent.status, N.SENT)
    now = timezone.now()
    return status, {
        "provider_message_id": sent.provider_id,
        "provider_status": sent.status,
        "sent_at": now,
        "delivered_at": now if status == N.DELIVERED else None,
    }


def _record(row: Notification, outcome, fields: dict, *, now: datetime) -> str:
    if isinstance(outcome, OptedOut):
        return _opted_out(row, outcome, now=now, fields=fields)
    if isinstance(outcome, MaybeSent):
        # Never resent blindly: the row stays "sending" and, once SENDING_TIMEOUT
        # has passed, notifications_recover looks it up at Twilio (adopts its SID
        # or sends it once more).
        _finish(row, N.SENDING, reason=outcome.message, **fields)
        return row.status
    if isinstance(outcome, TemporaryError):
        if row.attempts >= MAX_ATTEMPTS:
            _finish(row, N.FAILED, reason=f"gave up: {outcome.message}", **fields)
        else:
            _finish(
                row,
                N.PENDING,
                reason=outcome.message,
                due_at=now + retry_delay(row.attempts),
                **fields,
            )
        return row.status
    if isinstance(outcome, ChannelError):
        _finish(row, N.FAILED, reason=outcome.message, **fields)
        return row.status
    status, sent = _sent_fields(outcome)
    _finish(row, status, **sent, **fields)
    return row.status


# What a delivery callback may have written while the text was on its way.
CALLBACK_FIELDS = ["status", "provider_status", "delivered_at", "last_error"]


def _record_sent_batch(items: list[tuple[Notification, Sent, dict]]) -> None:
    """Write many successful sends in one transaction (one batched UPDATE, one
    history statement). The rows were read whole when claimed; only what a
    delivery callback may have written since is read again, under lock, and a
    status it already moved further is kept with its details."""
    with transaction.atomic():
        now_in_db = {
            pk: dict(zip(CALLBACK_FIELDS, values, strict=True))
            for pk, *values in Notification.objects.select_for_update()
            .filter(pk__in=[row.pk for row, _sent, _fields in items])
            .values_list("pk", *CALLBACK_FIELDS)
        }
        saved, columns = [], set(CALLBACK_FIELDS)
        for row, sent, fields in items:
            status, values = _sent_fields(sent)
            stored = now_in_db[row.pk]
            if RANK[stored["status"]] >= RANK[status]:
                # A callback came first: its status and details stand.
                values = {
                    name: value
                    for name, value in values.items()
                    if name not in CALLBACK_FIELDS
                }
                values.update(stored)
            else:
                values["status"] = status
            for name, value in {**values, **fields}.items():
                setattr(row, name, value)
            row._change_reason = row.status
            columns.update(values, fields)
            saved.append(row)
        # Only the columns a send changes (a full save writes ~30 columns).
        rows_save(saved, sorted(columns))


def notification_deliver(row: Notification, *, now: datetime, backend=None) -> str:
    """Send one claimed row and record what happened. Returns the row's status."""
    fields = _prepare(row, now)
    if fields is None:
        return row.status
    outcome = _transmit(row, fields, backend or sms_backend())
    return _record(row, outcome, fields, now=now)


def _opted_out(row, error, *, now, fields) -> str:
    """Twilio says the number unsubscribed (21610): the patient is opted out, the
    text is not retried; the message goes by e-mail when that is allowed."""
    from registration.services import patient_sms_opt_out

    with transaction.atomic():
        patient_sms_opt_out(patient=row.patient, how=f"Twilio error {error.code}")
    row.patient.refresh_from_db()
    if row.email_fallback and row.patient.email:
        retry = replace_row_for_email(row)
        return notification_deliver(retry, now=now)
    _finish(row, N.FAILED, reason=f"opted out: {error.message}", **fields)
    return row.status


def replace_row_for_email(row: Notification) -> Notification:
    """The same row, to go out again now by e-mail (the text never left)."""
    row.channel = Notification.Channel.EMAIL
    row.address = row.patient.email
    row._change_reason = "opted out of texts: by e-mail instead"
    row.save(update_fields=["channel", "address"])
    return row


# --- Loops, jobs, recovery --------------------------------------------------------


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
    for row in rows:
        fields = _prepare(row, now)
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
        _record_sent_batch(sent)


def _finish_batch_safely(batch: tuple) -> None:
    try:
        _finish_batch(batch)
    except Exception:
        # Rows left in "sending" are settled by notifications_recover.
        logger.exception("Sending a batch of notifications failed")


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
                _raise_failed_alert(row)
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
                _raise_failed_alert(row)
            settled += 1
    return settled, [row.pk for row in stuck]


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
            if error_code == "21610":
                from registration.services import patient_sms_opt_out

                patient_sms_opt_out(patient=row.patient, how="Twilio error 21610")
            _raise_failed_alert(row)
    return row


def due_count(*, now: datetime) -> int:
    return Notification.objects.filter(status=N.PENDING, due_at__lte=now).count()
