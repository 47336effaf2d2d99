"""One text per number and moment: reminders of one rule to one number, for visits
on the same clinic day (siblings sharing a parent's phone, a parent contact for
several children), go out as one text naming each visit.

Grouping happens when the first of them is sent, so a visit moved or cancelled
before then simply is not in the text. The rows stay one per visit (their unique
constraint and their history); those that went in another row's text point at it
(``grouped_into``) and share its fate (``group_follow``). The text itself is
written by automations (``alerts.hooks.reminder_group_text``), which owns the
placeholder vocabulary.
"""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from alerts import hooks
from alerts.models import Notification
from clinic.clock import day_bounds, today
from clinic.history import rows_save

N = Notification.Status
FOLLOWED_FIELDS = [
    "status",
    "channel",
    "address",
    "sent_at",
    "delivered_at",
    "last_error",
    "grouped_into",
    "due_at",
]


def group_order(row: Notification) -> tuple:
    """The order a group's visits are named and numbered in (C1, C2...)."""
    return (row.appointment_start, row.patient.given_name, row.pk)


def group_visits(rows) -> list[Notification]:
    """One row per visit (the patient's own before a contact's, when both reached
    the number), in the order a text names and numbers them (C1, C2...)."""
    by_visit: dict[int, Notification] = {}
    for row in sorted(rows, key=lambda r: (r.contact_id is not None, r.pk)):
        by_visit.setdefault(row.appointment_id, row)
    return sorted(by_visit.values(), key=group_order)


def group_rows(lead: Notification) -> list[Notification]:
    """The visits a text named, in the order it numbered them."""
    rows = [lead, *lead.grouped.select_related("patient", "appointment", "contact")]
    return group_visits(rows)


def group_gather(
    row: Notification,
    *,
    address: str,
    now: datetime,
    may_go: Callable[[Notification], bool],
    claimed=(),
) -> list[Notification]:
    """The other pending reminders of ``row``'s rule to ``address`` for visits on
    the same clinic day go in ``row``'s text (those another sender holds, or that
    must not go, are left alone), and those this sender ``claimed`` with it: they
    are claimed (``sending``, pointing at ``row``) and ``row``'s text becomes one
    naming each visit. Returns them."""
    if row.rule_id is None or row.appointment_start is None:
        return []
    start, end = day_bounds(today(row.appointment_start))
    with transaction.atomic():
        others = [
            other
            for other in Notification.objects.select_for_update(
                skip_locked=True, of=("self",)
            )
            .select_related("patient", "contact", "appointment", "rule")
            .filter(
                Q(status=N.PENDING)
                | Q(pk__in=list(claimed), status=N.SENDING, grouped_into=None),
                rule_id=row.rule_id,
                channel=Notification.Channel.SMS,
                address=address,
                appointment_start__gte=start,
                appointment_start__lt=end,
            )
            .exclude(pk=row.pk)
            if may_go(other)
        ]
        if not others:
            return []
        for other in others:
            if other.status == N.PENDING:
                other.status, other.claimed_at = N.SENDING, now
                other.attempts += 1
            other.grouped_into = row
            other._change_reason = f"in one text with #{row.pk}"
        rows_save(others, ["status", "claimed_at", "attempts", "grouped_into"])
        visits = group_visits([row, *others])
        if len(visits) > 1:
            language, body = hooks.reminder_group_text(visits, language=row.language)
            row.body, row.language = body, language
        row._change_reason = f"one text for {len(visits)} visits"
        row.save(update_fields=["body", "language"])
        row._grouped = True
    return others


def group_follow(lead: Notification) -> None:
    """Reminders that went in ``lead``'s text share its outcome; when the text is
    to be tried again, they are pending again each on its own (the next try
    gathers them anew). Called in the transaction that wrote ``lead``."""
    if lead.status == N.SENDING:
        return
    rows = list(
        Notification.objects.select_for_update().filter(
            grouped_into=lead, status=N.SENDING
        )
    )
    for row in rows:
        if lead.status == N.PENDING:
            row.status, row.grouped_into, row.due_at = N.PENDING, None, lead.due_at
            row._change_reason = "its group's text will be tried again"
        else:
            row.status, row.channel = lead.status, lead.channel
            row.address = lead.address
            row.sent_at, row.delivered_at = lead.sent_at, lead.delivered_at
            row.last_error = f"in one text with #{lead.pk}"
            row._change_reason = f"{lead.status} in one text with #{lead.pk}"
    if rows:
        rows_save(rows, FOLLOWED_FIELDS)


def latest_reminder_to(*, number: str, since: datetime) -> Notification | None:
    """The last reminder text sent to ``number`` since ``since`` (the one a reply
    like C or C2 answers), or None."""
    return (
        Notification.objects.select_related("patient", "appointment", "contact")
        .filter(
            address=number,
            channel=Notification.Channel.SMS,
            rule__isnull=False,
            grouped_into__isnull=True,
            status__in=[N.SENT, N.DELIVERED],
            sent_at__gte=since,
        )
        .order_by("-sent_at", "-pk")
        .first()
    )
