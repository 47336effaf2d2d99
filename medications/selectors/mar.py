"""The MAR's reads: the dose states, the unit grid, a patient's doses and orders,
the formulary."""

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
from registration.selectors import patient_mrn_q
from scheduling.models import Location
from scheduling.selectors import patient_visit_today

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
    return state_of(dose.status, dose.due_at, now, state_limits())


def state_limits():
    """The thresholds a dose's state is read against (missed, overdue, window,
    due soon)."""
    return (
        conf.missed_after(),
        conf.overdue_after(),
        conf.time_window(),
        conf.due_soon_within(),
    )


def dose_decorate(dose: ScheduledDose, now: datetime) -> ScheduledDose:
    """The dose with its MAR state, label and colour at ``now``."""
    dose.state = dose_state(dose, now)
    dose.state_label, dose.state_class = STATES[dose.state]
    dose.is_open = dose.status == DS.SCHEDULED
    return dose


def mar_locations() -> QuerySet[Location]:
    return Location.objects.filter(is_active=True).order_by("name")


def mar_locations_with_patients() -> set[int]:
    """The units with a patient on their MAR: an active order there (one query)."""
    return set(
        MedicationOrder.objects.filter(
            status=MedicationOrder.Status.ACTIVE, location__is_active=True
        )
        .values_list("location_id", flat=True)
        .distinct()
    )


def _dose_rows() -> QuerySet[ScheduledDose]:
    return ScheduledDose.objects.select_related(
        "order__patient",
        "order__medication",
        "administration__given_by",
        "administration__witness",
        "status_changed_by",
    )


GRID_FIELDS = (
    "pk",
    "due_at",
    "status",
    "order__dose",
    "order__dose_unit",
    "order__route",
    "order__patient_id",
    "order__patient__mrn",
    "order__patient__given_name",
    "order__patient__family_name",
    "order__patient__birth_date",
    "order__patient__restriction",
    "order__medication__name",
    "order__medication__is_high_alert",
    "administration__given_at",
    "administration__given_by__username",
    "administration__given_by__first_name",
    "administration__given_by__last_name",
)


@dataclass
class GridPatient:
    pk: int
    mrn: str
    given_name: str
    family_name: str
    birth_date: object
    restriction: str = ""
    # Set by the page for a restricted patient the user holds no grant for.
    patient_hidden: bool = False


@dataclass
class Chip:
    """One dose on the unit grid: only what the chip shows (no model instances,
    so 300 doses cost one query and little Python)."""

    pk: int
    ref: str  # the pk as text, for element ids and links
    due_at: datetime
    state: str
    state_label: str
    state_class: str
    is_open: bool
    head: str
    body: str
    title: str


def state_of(status: str, due_at: datetime, now: datetime, limits) -> str:
    if status != DS.SCHEDULED:
        return status
    missed, overdue, window, soon = limits
    late = now - due_at
    if late > missed:
        return "missed"
    if late > overdue:
        return "overdue"
    if -late <= window:
        return "due"
    if -late <= soon:
        return "due_soon"
    return "later"


@dataclass
class MarCell:
    css: str
    chips: list[Chip] = field(default_factory=list)


@dataclass
class MarRow:
    patient: object
    cells: list[MarCell]
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
    doses = ScheduledDose.objects.filter(
        order__location=location, due_at__gte=start, due_at__lt=end
    ).exclude(status=DS.CANCELLED)
    if query.strip():
        text = query.strip()
        doses = doses.filter(
            patient_mrn_q(mrn=text, path="order__patient__mrn")
            | Q(order__patient__family_name__icontains=text)
            | Q(order__patient__given_name__icontains=text)
        )
    hours = max(1, int((end - start).total_seconds() // 3600))
    columns = [start + timedelta(hours=h) for h in range(hours)]
    rows: dict[int, MarRow] = {}
    totals = dict.fromkeys(STATES, 0)
    labels = {key: (str(label), css) for key, (label, css) in STATES.items()}
    limits = state_limits()
    zone = timezone.get_current_timezone()
    now_column = (
        int((now - start).total_seconds() // 3600) if start <= now < end else None
    )
    for v in doses.order_by("due_at", "pk").values(*GRID_FIELDS):
        dose_state = state_of(v["status"], v["due_at"], now, limits)
        if state and dose_state != state:
            continue
        label, css = labels[dose_state]
        body = f"{v['order__dose'].normalize():f} {v['order__dose_unit']} "
        body += f"{v['order__route']} · {label}"
        if v["order__medication__is_high_alert"]:
            body += " ⚠"
        title = label
        if v["administration__given_at"] is not None:
            who = " ".join(
                x
                for x in (
                    v["administration__given_by__first_name"],
                    v["administration__given_by__last_name"],
                )
                if x
            )
            given_at = v["administration__given_at"].astimezone(zone)
            title += f": {who or v['administration__given_by__username']} "
            title += f"{given_at:%H:%M}"
        chip = Chip(
            pk=v["pk"],
            ref=str(v["pk"]),
            due_at=v["due_at"],
            state=dose_state,
            state_label=label,
            state_class=css,
            is_open=v["status"] == DS.SCHEDULED,
            head=f"{v['due_at'].astimezone(zone):%H:%M} {v['order__medication__name']}",
            body=body,
            title=title,
        )
        row = rows.get(v["order__patient_id"])
        if row is None:
            patient = GridPatient(
                pk=v["order__patient_id"],
                mrn=v["order__patient__mrn"],
                given_name=v["order__patient__given_name"],
                family_name=v["order__patient__family_name"],
                birth_date=v["order__patient__birth_date"],
                restriction=v["order__patient__restriction"],
            )
            row = rows[patient.pk] = MarRow(
                patient,
                [
                    MarCell("mar-cell mar-now" if c == now_column else "mar-cell")
                    for c in range(hours)
                ],
            )
        index = min(int((chip.due_at - start).total_seconds() // 3600), hours - 1)
        row.cells[index].chips.append(chip)
        row.counts[dose_state] = row.counts.get(dose_state, 0) + 1
        totals[dose_state] += 1
    ordered = sorted(
        rows.values(), key=lambda r: (r.patient.family_name, r.patient.given_name)
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
    return [dose_decorate(dose, now) for dose in doses.order_by("due_at", "pk")]


def patient_care_unit(*, patient, now: datetime | None = None) -> Location | None:
    """The unit whose nurses look after the patient, where a new order's doses
    belong: the unit of the patient's latest active order (where they are on the
    MAR), else the location of today's visit, else None (two queries at most)."""
    order = (
        MedicationOrder.objects.filter(
            patient=patient,
            status=MedicationOrder.Status.ACTIVE,
            location__is_active=True,
        )
        .select_related("location")
        .order_by("-start_at", "-pk")
        .first()
    )
    if order is not None:
        return order.location
    visit = patient_visit_today(patient=patient, now=now)
    if visit is not None and visit.location.is_active:
        return visit.location
    return None


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
