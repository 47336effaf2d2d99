"""A message's status, and writing a send's outcome onto its row.

A status never moves back: a delivery callback may arrive twice, out of order, or
before the sender has written "sent", and whatever is further along stands.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.channels import Sent
from alerts.models import Notification
from alerts.outbox.grouping import group_follow
from alerts.services import alert_raise
from clinic.history import rows_save
from clinic.permissions import FRONT_DESK

N = Notification.Status

# How far each status is along the way.
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
# What a delivery callback may have written while the text was on its way.
CALLBACK_FIELDS = ["status", "provider_status", "delivered_at", "last_error"]


def failed_alert_raise(row: Notification) -> None:
    """A message that failed is the front desk's to follow up (one alert per row)."""
    alert_raise(
        kind="message_failed",
        title=_("Message to %(who)s not delivered") % {"who": row.patient},
        message=f"{row.body[:300]}\n\n{row.last_error}",
        patient=row.patient,
        subject=row,
        role=FRONT_DESK,
        key=f"notification-failed:{row.pk}",
    )


def outcome_write(row: Notification, status: str, *, reason: str = "", **fields):
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
        group_follow(locked)
        if locked.status == N.FAILED:
            failed_alert_raise(locked)
    row.__dict__.update(locked.__dict__)


def sent_fields(sent: Sent) -> tuple[str, dict]:
    """The status and columns of a text or e-mail the provider took."""
    status = TWILIO_STATUSES.get(sent.status, N.SENT)
    now = timezone.now()
    return status, {
        "provider_message_id": sent.provider_id,
        "provider_status": sent.status,
        "sent_at": now,
        "delivered_at": now if status == N.DELIVERED else None,
    }


def sent_batch_record(items: list[tuple[Notification, Sent, dict]]) -> None:
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
            status, values = sent_fields(sent)
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
        for row in saved:
            if getattr(row, "_grouped", False):
                group_follow(row)
