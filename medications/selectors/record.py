"""The administration record for compliance reports: every dose with what became
of it, as an auditor reads the MAR."""

from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.record_filters import filter_record
from medications import conf
from medications.models import MedicationOrder, ScheduledDose
from medications.selectors.mar import STATES, state_limits, state_of
from scheduling.models import Location

DS = ScheduledDose.Status

RECORD_KINDS = [
    ("late", _("Given late")),
    ("early", _("Given early")),
    ("missed", _("Not given, overdue or missed")),
    ("override", _("Overrides (timing reason or allergy override)")),
    ("held", _("Held")),
    ("refused", _("Refused")),
    ("high_alert", _("High-alert (witnessed)")),
]

RECORD_FIELDS = (
    "pk",
    "due_at",
    "status",
    "reason",
    "status_changed_at",
    "status_changed_by__username",
    "order_id",
    "order__location__name",
    "order__patient__mrn",
    "order__patient__family_name",
    "order__patient__given_name",
    "order__medication__name",
    "order__medication__is_high_alert",
    "order__dose",
    "order__dose_unit",
    "order__route",
    "order__allergy_override_reason",
    "administration__given_at",
    "administration__given_by__username",
    "administration__witness__username",
    "administration__amount",
    "administration__unit",
    "administration__timing_reason",
)


def administration_record(
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    patient=None,
    location: Location | None = None,
    username: str = "",
    kind: str = "",
    now: datetime | None = None,
) -> QuerySet:
    """Every dose due in [start, end) with what became of it (one dict per dose,
    oldest first): the MAR as an auditor reads it. ``username``: who gave, held or
    refused it. ``kind``: one of RECORD_KINDS."""
    now = now or timezone.now()
    window = conf.time_window()
    doses = filter_record(
        ScheduledDose.objects.exclude(status=DS.CANCELLED),
        at="due_at",
        start=start,
        end=end,
        patient=patient,
        username=username,
        patient_field="order__patient",
        user_fields=(
            "administration__given_by__username",
            "status_changed_by__username",
        ),
    )
    if location is not None:
        doses = doses.filter(order__location=location)
    given_late = Q(administration__given_at__gt=F("due_at") + window)
    given_early = Q(administration__given_at__lt=F("due_at") - window)
    if kind == "late":
        doses = doses.filter(given_late)
    elif kind == "early":
        doses = doses.filter(given_early)
    elif kind == "missed":
        doses = doses.filter(status=DS.SCHEDULED, due_at__lt=now - conf.overdue_after())
    elif kind == "override":
        # "> ''" rather than a negation: a dose not given has no reason (NULL).
        doses = doses.filter(
            Q(administration__timing_reason__gt="")
            | Q(order__allergy_override_reason__gt="")
        )
    elif kind in (DS.HELD, DS.REFUSED):
        doses = doses.filter(status=kind)
    elif kind == "high_alert":
        doses = doses.filter(order__medication__is_high_alert=True)
    return doses.order_by("due_at", "pk").values(*RECORD_FIELDS)


def administration_timing(row: dict, now: datetime) -> tuple[str, int | None]:
    """How a dose of ``administration_record`` went: "on time", "late", "early",
    or for a dose not given its MAR state; with the minutes from due to given."""
    given_at = row["administration__given_at"]
    if given_at is None:
        state = state_of(row["status"], row["due_at"], now, state_limits())
        return str(STATES[state][0]).lower(), None
    minutes = round((given_at - row["due_at"]).total_seconds() / 60)
    window = conf.time_window()
    if given_at > row["due_at"] + window:
        return "late", minutes
    if given_at < row["due_at"] - window:
        return "early", minutes
    return "on time", minutes


def administration_counts(*, start: datetime, end: datetime) -> dict[str, int]:
    """The weekly compliance summary's counts for doses due in [start, end): given
    late, not given (overdue or missed), and overrides: doses given outside the
    time window with a reason, plus orders placed despite an allergy match."""
    now = timezone.now()
    counts = {
        kind: administration_record(start=start, end=end, kind=kind, now=now).count()
        for kind in ("late", "missed")
    }
    timing = administration_record(start=start, end=end, now=now).filter(
        administration__timing_reason__gt=""
    )
    allergy = MedicationOrder.objects.filter(
        created_at__gte=start, created_at__lt=end, allergy_override_reason__gt=""
    )
    counts["override"] = timing.count() + allergy.count()
    return counts
