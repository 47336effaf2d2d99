"""Reads of the clinic package shared by pages, jobs and commands."""

from dataclasses import dataclass, field
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.utils import timezone

from clinic.models import AccessLog
from clinic.word_search import each_word

User = get_user_model()


def staff_list(*, query: str = "", role: str = "", status: str = "") -> QuerySet:
    users = User.objects.select_related(
        "profile", "profile__default_location"
    ).order_by("last_name", "first_name", "username")
    users = each_word(
        users,
        query,
        "username__icontains",
        "first_name__icontains",
        "last_name__icontains",
        "email__icontains",
    )
    if role:
        users = users.filter(profile__role=role)
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    return users


def locked_usernames() -> set[str]:
    """User names currently locked out after repeated failed log-ins."""
    cutoff = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=cutoff,
        ).values_list("username", flat=True)
    )


def staff_counts() -> dict:
    by_role = dict(
        User.objects.filter(is_active=True)
        .values_list("profile__role")
        .annotate(n=Count("id"))
        .values_list("profile__role", "n")
    )
    return {
        "by_role": by_role,
        "inactive": User.objects.filter(is_active=False).count(),
        "locked": len(locked_usernames()),
    }


def access_log_count_since(*, since: datetime) -> int:
    return AccessLog.objects.filter(created_at__gte=since).count()


# --- Record history ------------------------------------------------------------------


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    user: str
    kind: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


KIND_LABELS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _display(record, field_name: str) -> str:
    model_field = record.instance_type._meta.get_field(field_name)
    value = getattr(record, model_field.attname, None)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        try:
            related = getattr(record, field_name)
        except Exception:  # noqa: BLE001 - the related row may be gone
            related = None
        return f"{related}" if related is not None else f"#{value}"
    return str(value)


def history_changes(record, before, labels: dict[str, str]) -> list[FieldChange]:
    """Which tracked fields ``record`` changed against ``before`` (its predecessor)."""
    changes = []
    for name, label in labels.items():
        new = _display(record, name)
        if record.history_type == "+":
            if new != "—":
                changes.append(FieldChange(label, "", new))
            continue
        if before is None:
            continue
        old = _display(before, name)
        if old != new:
            changes.append(FieldChange(label, old, new))
    return changes


def tracked_field_labels(model) -> dict[str, str]:
    """Tracked field name -> its label, for a model with history."""
    history_model = model.history.model
    return {
        f.name: str(model._meta.get_field(f.name).verbose_name)
        for f in history_model.tracked_fields
        if f.name != "id"
    }


def record_history(
    *, obj, limit: int, offset: int = 0
) -> tuple[list[HistoryEntry], int]:
    """A page of ``obj``'s changes, newest first: who changed which field from what to
    what, when and why. One query for the page, one for the count."""
    records_qs = obj.history.select_related("history_user").order_by(
        "-history_date", "-pk"
    )
    total = records_qs.count()
    # One record more than the page, so the oldest change on the page has its "before".
    records = list(records_qs[offset : offset + limit + 1])
    labels = tracked_field_labels(type(obj))
    entries = []
    for index, record in enumerate(records[:limit]):
        before = records[index + 1] if index + 1 < len(records) else None
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=user.get_username() if user else "system",
                kind=KIND_LABELS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=history_changes(record, before, labels),
            )
        )
    return entries, total
