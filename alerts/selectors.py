from datetime import timedelta

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from alerts.kinds import KINDS
from alerts.models import InboundMessage, Notification, NumberConsent, StaffAlert
from clinic.clock import local_midnight
from clinic.permissions import role_of
from clinic.record_filters import filter_record
from clinic.word_search import each_word


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


def alert_readable_by(*, user, record: StaffAlert) -> bool:
    """The rule of an alert's pages (clinic.permissions.RECORD_RULES)."""
    return alert_visible_to(alert=record, user=user)


def chart_alerts_for(*, patient, user) -> QuerySet:
    """A patient's unresolved alerts that ``user`` may read where the patient is
    shown: those for the user or their role, and those of a kind whose subject the
    user's role sees anyway (``alerts.kinds.Kind.view_permission``): front desk
    and billing never read a critical result or an overdue dose in a title."""
    readable = [
        name
        for name, kind in KINDS.items()
        if kind.view_permission and user.has_perm(kind.view_permission)
    ]
    return (
        StaffAlert.objects.filter(patient=patient)
        .filter(_mine(user) | Q(kind__in=readable))
        .exclude(status=StaffAlert.Status.RESOLVED)
        .order_by("-priority", "created_at", "id")
    )


def inbox_for(
    *,
    user,
    status: str = "",
    kind: str = "",
    priority: int | None = None,
    query: str = "",
) -> QuerySet:
    """Alerts for the user and the user's role; unresolved unless a status is asked."""
    alerts = (
        StaffAlert.objects.filter(_mine(user))
        .select_related("patient", "assigned_user", "acknowledged_by", "resolved_by")
        # Targets read the subject (a no-show's visit type): one query per kind.
        .prefetch_related("subject")
    )
    if status:
        alerts = alerts.filter(status=status)
    else:
        alerts = alerts.exclude(status=StaffAlert.Status.RESOLVED)
    if kind:
        alerts = alerts.filter(kind=kind)
    if priority:
        alerts = alerts.filter(priority=priority)
    alerts = each_word(alerts, query, "title__icontains", "message__icontains")
    return alerts.order_by("-priority", "created_at", "id")


def open_alert_count(*, user) -> int:
    return StaffAlert.objects.filter(_mine(user), status=StaffAlert.Status.OPEN).count()


def outbox(
    *, query: str = "", status: str = "", channel: str = "", day=None
) -> QuerySet:
    """Every message, newest first, with filters."""
    rows = Notification.objects.select_related("patient", "rule", "appointment")
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    if day is not None:
        start = local_midnight(day)
        rows = rows.filter(
            scheduled_for__gte=start,
            scheduled_for__lt=local_midnight(day + timedelta(days=1)),
        )
    rows = each_word(
        rows,
        query,
        "patient__family_name__icontains",
        "patient__given_name__icontains",
        "patient__mrn",
        "address__icontains",
    )
    return rows.order_by("-scheduled_for", "-id")


def outbox_counts() -> dict[str, int]:
    return dict(
        Notification.objects.values_list("status").annotate(n=Count("id")).order_by()
    )


CONVERSATION_ROWS = 20


def conversation(*, patient, limit: int = CONVERSATION_ROWS) -> list[dict]:
    """The texts and e-mails to and from a patient, newest first (two queries)."""
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


# --- The communications record for compliance reports ---------------------------

UNDELIVERED = ["failed", "undeliverable", "skipped"]

COMMUNICATION_KINDS = [
    ("reminder", _("Reminders")),
    ("message", _("Other messages sent")),
    ("reply", _("Texts received")),
    ("undelivered", _("Not delivered (failed, undeliverable, skipped)")),
    ("no_consent", _("Texts without SMS consent at the time")),
    ("opt_out", _("Opt-outs and opt-ins")),
]


def _patient_consent_at(moment):
    """The patient record's SMS box as it stood at ``moment`` (from the patient's
    history), NULL when the patient had no record yet."""
    # The patient model reached through the foreign key: alerts sits below
    # registration and imports nothing of it.
    patient_history = Notification.patient.field.related_model.history.model
    return Subquery(
        patient_history.objects.filter(
            id=OuterRef("patient_id"), history_date__lte=moment
        )
        .order_by("-history_date", "-history_id")
        .values("sms_consent")[:1],
        output_field=BooleanField(),
    )


def _number_consent(rows, number: str):
    """Whether the number's consent row (or its history row) says opted in."""
    allowed = Case(
        When(state=NumberConsent.State.OPTED_IN, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    rows = rows.filter(number=OuterRef(number)).annotate(allowed=allowed)
    return Subquery(rows.values("allowed")[:1], output_field=BooleanField())


def _consent(number: str, moment=None):
    """SMS consent as it governs a text: the number's (alerts.NumberConsent, as it
    stood at ``moment`` when given), else — before consent moved onto numbers, or
    an e-mail — the patient record's box."""
    if moment is None:
        return Coalesce(
            _number_consent(NumberConsent.objects.all(), number),
            F("patient__sms_consent"),
        )
    history = NumberConsent.history.filter(history_date__lte=moment).order_by(
        "-history_date", "-history_id"
    )
    return Coalesce(_number_consent(history, number), _patient_consent_at(moment))


def communications_record(
    *,
    start=None,
    end=None,
    patient=None,
    username: str = "",
    kind: str = "",
) -> QuerySet:
    """Every reminder and message sent or received in [start, end), oldest first,
    one dict per message, with the SMS consent (``_consent``) when
    it went out (or came in) and now, and its delivery status. ``username``: who
    created an outgoing message (texts received have no author)."""
    text = CharField()
    sent_when = Coalesce("sent_at", "scheduled_for")
    outgoing = Notification.objects.annotate(
        at=sent_when,
        direction=Value("out", output_field=text),
        kind=Case(
            When(rule__isnull=False, then=Value("reminder")),
            default=Value("message"),
            output_field=text,
        ),
        channel_used=F("channel"),
        mrn=F("patient__mrn"),
        family_name=F("patient__family_name"),
        given_name=F("patient__given_name"),
        address_used=F("address"),
        status_now=F("status"),
        consent_then=_consent(
            "address", Coalesce(OuterRef("sent_at"), OuterRef("scheduled_for"))
        ),
        consent_now=_consent("address"),
        note=F("last_error"),
        provider_ref=F("provider_message_id"),
        delivered=F("delivered_at"),
        text=F("body"),
        row_id=F("id"),
    )
    incoming = InboundMessage.objects.annotate(
        at=F("received_at"),
        direction=Value("in", output_field=text),
        kind=Value("reply", output_field=text),
        channel_used=Value("sms", output_field=text),
        mrn=F("patient__mrn"),
        family_name=F("patient__family_name"),
        given_name=F("patient__given_name"),
        address_used=F("from_number"),
        status_now=F("action"),
        consent_then=_consent("from_number", OuterRef("received_at")),
        consent_now=_consent("from_number"),
        note=F("reply"),
        provider_ref=F("provider_id"),
        delivered=Value(None, output_field=DateTimeField()),
        text=F("body"),
        row_id=F("id"),
    )
    scope = {"start": start, "end": end, "patient": patient, "username": username}
    outgoing = filter_record(
        outgoing, at="at", user_fields=("created_by__username",), **scope
    )
    incoming = filter_record(incoming, at="received_at", **scope)
    if kind in ("reminder", "message"):
        outgoing, incoming = outgoing.filter(kind=kind), incoming.none()
    elif kind == "reply":
        outgoing = outgoing.none()
    elif kind == "undelivered":
        outgoing, incoming = outgoing.filter(status__in=UNDELIVERED), incoming.none()
    elif kind == "no_consent":
        outgoing = outgoing.filter(channel="sms").exclude(consent_then=True)
        incoming = incoming.none()
    elif kind == "opt_out":
        outgoing = outgoing.none()
        incoming = incoming.filter(action__in=["opted_out", "opted_in"])
    names = (
        "at",
        "direction",
        "kind",
        "channel_used",
        "mrn",
        "family_name",
        "given_name",
        "address_used",
        "status_now",
        "consent_then",
        "consent_now",
        "note",
        "provider_ref",
        "delivered",
        "text",
        "row_id",
    )
    # No ORDER BY inside the parts of a UNION (SQLite refuses it).
    union = (
        outgoing.order_by()
        .values(*names)
        .union(incoming.order_by().values(*names), all=True)
    )
    return union.order_by("at", "direction", "row_id")


def undelivered_count(*, start, end) -> int:
    """Messages due to go out in [start, end) that did not reach the patient."""
    return Notification.objects.filter(
        scheduled_for__gte=start, scheduled_for__lt=end, status__in=UNDELIVERED
    ).count()
