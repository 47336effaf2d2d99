"""Reads of the medications app shared by the MAR pages, the chart panel, the PDFs
and the alert job. ``select_related`` lives here."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medications import conf
from medications.models import (
    Administration,
    Medication,
    MedicationOrder,
    ScheduledDose,
)
from scheduling.models import Location

DS = ScheduledDose.Status

# What a dose looks like on the MAR at a given moment: label and Bootstrap class.
STATES = {
    "given": (_("Given"), "text-bg-success"),
    "held": (_("Held"), "text-bg-secondary"),
    "refused": (_("Refused"), "text-bg-warning"),
    "cancelled": (_("Cancelled"), "text-bg-light text-decoration-line-through"),
    "missed": (_("Missed"), "text-bg-dark"),
    "overdue": (_("Overdue"), "text-bg-danger"),
    "due": (_("Due"), "text-bg-primary"),
    "due_soon": (_("Due soon"), "text-bg-info"),
    "later": (_("Scheduled"), "text-bg-light border"),
}
STATE_FILTERS = [("", _("Every state"))] + [
    (key, label) for key, (label, _css) in STATES.items() if key != "cancelled"
]


def dose_state(dose: ScheduledDose, now: datetime) -> str:
    """given / held / refused / cancelled, or for an open dose: missed, overdue,
    due (inside the time window), due soon, later."""
    if dose.status != DS.SCHEDULED:
        return dose.status
    late = now - dose.due_at
    if late > conf.missed_after():
        return "missed"
    if late > conf.overdue_after():
        return "overdue"
    if -late <= conf.time_window():
        return "due"
    if -late <= conf.due_soon_within():
        return "due_soon"
    return "later"


def _decorate(dose: ScheduledDose, now: datetime) -> ScheduledDose:
    dose.state = dose_state(dose, now)
    dose.state_label, dose.state_class = STATES[dose.state]
    dose.is_open = dose.status == DS.SCHEDULED
    return dose


def mar_locations() -> QuerySet[Location]:
    return Location.objects.filter(is_active=True).order_by("name")


def _dose_rows() -> QuerySet[ScheduledDose]:
    return ScheduledDose.objects.select_related(
        "order__patient",
        "order__medication",
        "administration__given_by",
        "administration__witness",
        "status_changed_by",
    )


@dataclass
class MarRow:
    patient: object
    cells: list[list[ScheduledDose]]
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class UnitMar:
    location: Location
    start: datetime
    end: datetime
    columns: list[datetime]
    rows: list[MarRow]
    totals: dict[str, int]
    now_column: int | None = None


def mar_for_unit(
    *,
    location: Location,
    start: datetime,
    end: datetime,
    state: str = "",
    query: str = "",
    now: datetime | None = None,
) -> UnitMar:
    """The unit's patients × hours grid of doses in [start, end), in one query."""
    now = now or timezone.now()
    doses = _dose_rows().filter(
        order__location=location, due_at__gte=start, due_at__lt=end
    )
    doses = doses.exclude(status=DS.CANCELLED)
    if query.strip():
        text = query.strip()
        doses = doses.filter(
            Q(order__patient__mrn__iexact=text)
            | Q(order__patient__family_name__icontains=text)
            | Q(order__patient__given_name__icontains=text)
        )
    hours = max(1, int((end - start).total_seconds() // 3600))
    columns = [start + timedelta(hours=h) for h in range(hours)]
    rows: dict[int, MarRow] = {}
    totals = dict.fromkeys(STATES, 0)
    for dose in doses.order_by("order__patient__family_name", "due_at"):
        _decorate(dose, now)
        if state and dose.state != state:
            continue
        patient = dose.order.patient
        row = rows.get(patient.pk)
        if row is None:
            row = rows[patient.pk] = MarRow(patient, [[] for _c in columns])
        index = min(int((dose.due_at - start).total_seconds() // 3600), hours - 1)
        row.cells[index].append(dose)
        row.counts[dose.state] = row.counts.get(dose.state, 0) + 1
        totals[dose.state] += 1
    ordered = sorted(
        rows.values(), key=lambda r: (r.patient.family_name, r.patient.given_name)
    )
    now_column = (
        int((now - start).total_seconds() // 3600) if start <= now < end else None
    )
    return UnitMar(location, start, end, columns, ordered, totals, now_column)


def patient_doses(
    *, patient, start: datetime, end: datetime, now: datetime | None = None
) -> list[ScheduledDose]:
    """Every dose of the patient due in [start, end), oldest first, with who gave
    it (cancelled ones included: the printout shows them struck through)."""
    now = now or timezone.now()
    doses = _dose_rows().filter(
        order__patient=patient, due_at__gte=start, due_at__lt=end
    )
    return [_decorate(dose, now) for dose in doses.order_by("due_at", "pk")]


def patient_orders(*, patient, current_only: bool = True) -> list[MedicationOrder]:
    orders = MedicationOrder.objects.filter(patient=patient).select_related(
        "medication", "ordered_by", "location"
    )
    if current_only:
        orders = orders.filter(
            status__in=[MedicationOrder.Status.ACTIVE, MedicationOrder.Status.HELD]
        )
    return list(orders.order_by("status", "medication__name"))


def recent_administrations(*, patient, limit: int = 10) -> list[Administration]:
    return list(
        Administration.objects.filter(dose__order__patient=patient)
        .select_related("dose__order__medication", "given_by", "witness")
        .order_by("-given_at")[:limit]
    )


def dose_for_bedside(*, pk: int) -> ScheduledDose:
    return _dose_rows().select_related("order__location").get(pk=pk)


def formulary(*, query: str = "", active_only: bool = False) -> QuerySet[Medication]:
    medications = Medication.objects.all()
    if active_only:
        medications = medications.filter(is_active=True)
    if query.strip():
        text = query.strip()
        medications = medications.filter(
            Q(name__icontains=text) | Q(barcode__icontains=text) | Q(rxnorm_code=text)
        )
    return medications.order_by("name", "strength")


def day_bounds(day) -> tuple[datetime, datetime]:
    """The clinic-time-zone day as [start, end) aware moments (23 or 25 h on DST)."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, datetime.min.time()).replace(tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time()).replace(
        tzinfo=zone
    )
    return start, end
