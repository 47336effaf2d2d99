from django.db.models import Q, QuerySet

from alerts.models import StaffAlert
from clinic.permissions import role_of


def _mine(user) -> Q:
    role = role_of(user)
    mine = Q(assigned_user=user)
    if role:
        mine |= Q(assigned_role=role, assigned_user__isnull=True)
    return mine


def alert_visible_to(*, alert: StaffAlert, user) -> bool:
    if alert.assigned_user_id is not None:
        return alert.assigned_user_id == user.pk
    return alert.assigned_role == role_of(user)


def inbox_for(
    *,
    user,
    status: str = "",
    kind: str = "",
    priority: int | None = None,
    query: str = "",
) -> QuerySet:
    """Alerts for the user and the user's role; unresolved unless a status is asked."""
    alerts = StaffAlert.objects.filter(_mine(user)).select_related(
        "patient", "assigned_user", "acknowledged_by", "resolved_by"
    )
    if status:
        alerts = alerts.filter(status=status)
    else:
        alerts = alerts.exclude(status=StaffAlert.Status.RESOLVED)
    if kind:
        alerts = alerts.filter(kind=kind)
    if priority:
        alerts = alerts.filter(priority=priority)
    for word in query.split():
        alerts = alerts.filter(Q(title__icontains=word) | Q(message__icontains=word))
    return alerts.order_by("-priority", "created_at", "id")


def open_alert_count(*, user) -> int:
    return StaffAlert.objects.filter(_mine(user), status=StaffAlert.Status.OPEN).count()


def rules_for_appointment(*, appointment) -> list:
    """Reminder rules for the visit: those of the enabled automations ("N hours
    before the appointment") whose conditions hold for it (one engine)."""
    from automations.reminders import reminder_rules_for

    return reminder_rules_for(appointment=appointment)


def outbox(
    *, query: str = "", status: str = "", channel: str = "", day=None
) -> QuerySet:
    """Every message, newest first, with filters."""
    from alerts.models import Notification

    rows = Notification.objects.select_related("patient", "rule", "appointment")
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    if day is not None:
        from datetime import timedelta

        from scheduling.slots import local_midnight

        start = local_midnight(day)
        rows = rows.filter(
            scheduled_for__gte=start,
            scheduled_for__lt=local_midnight(day + timedelta(days=1)),
        )
    for word in query.split():
        rows = rows.filter(
            Q(patient__family_name__icontains=word)
            | Q(patient__given_name__icontains=word)
            | Q(patient__mrn=word)
            | Q(address__icontains=word)
        )
    return rows.order_by("-scheduled_for", "-id")


def outbox_counts() -> dict[str, int]:
    from django.db.models import Count

    from alerts.models import Notification

    return dict(
        Notification.objects.values_list("status").annotate(n=Count("id")).order_by()
    )


CONVERSATION_ROWS = 20


def conversation(*, patient, limit: int = CONVERSATION_ROWS) -> list[dict]:
    """The texts and e-mails to and from a patient, newest first (two queries)."""
    from alerts.models import InboundMessage, Notification

    outgoing = Notification.objects.filter(patient=patient).order_by(
        "-scheduled_for", "-id"
    )[:limit]
    incoming = InboundMessage.objects.filter(patient=patient).order_by("-received_at")[
        :limit
    ]
    items = [
        {
            "direction": "out",
            "at": n.sent_at or n.scheduled_for,
            "channel": n.get_channel_display(),
            "text": n.body,
            "status": n.get_status_display(),
            "status_code": n.status,
            "note": n.last_error,
        }
        for n in outgoing
    ]
    for m in incoming:
        items.append(
            {
                "direction": "in",
                "at": m.received_at,
                "channel": "SMS",
                "text": m.body,
                "status": m.get_action_display(),
                "status_code": m.action,
                "note": "",
            }
        )
        if m.reply:
            items.append(
                {
                    "direction": "out",
                    "at": m.received_at,
                    "channel": "SMS",
                    "text": m.reply,
                    "status": "our answer",
                    "status_code": "answer",
                    "note": "",
                }
            )
    items.sort(key=lambda item: (item["at"], item["direction"] == "out"), reverse=True)
    return items[:limit]
