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
    """Active reminder rules for the visit's type (a rule with no types: all)."""
    from django.db.models import Prefetch

    from alerts.models import ReminderRule, ReminderVariant

    return list(
        ReminderRule.objects.filter(is_active=True)
        .filter(
            Q(appointment_types=None)
            | Q(appointment_types=appointment.appointment_type_id)
        )
        .distinct()
        .prefetch_related(Prefetch("variants", queryset=ReminderVariant.objects.all()))
        .order_by("-hours_before", "id")
    )
