"""The day and week grids and the today list: visits with what a chip shows, in a
fixed, small number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from operator import attrgetter
from types import SimpleNamespace

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.clock import at_local, local_midnight
from scheduling.eligibility import STALE_AFTER_HOURS
from scheduling.models import (
    Appointment,
    AvailabilityRule,
    Location,
    Provider,
    Room,
)
from scheduling.slots import sessions_for

GRID_STEP_MINUTES = 15
GRID_START = time(7, 0)
GRID_END = time(19, 0)
S = Appointment.Status


FILTER_CHOICES_KEY = "scheduling:filter-choices"
FILTER_CHOICES_SECONDS = 60


def optional_choices() -> dict[str, list[tuple[int, str]]]:
    """Locations, providers and rooms for the filter bars.

    Kept a minute in the cache: they change rarely, and the day view must render in
    a fixed, small number of queries.
    """
    data = cache.get(FILTER_CHOICES_KEY)
    if data is None:
        data = {
            "locations": list(
                Location.objects.filter(is_active=True).values_list("pk", "name")
            ),
            "providers": [
                (p.pk, str(p)) for p in Provider.objects.filter(is_active=True)
            ],
            "rooms": [
                (r.pk, f"{r.name} ({r.location.name})")
                for r in Room.objects.filter(is_active=True).select_related("location")
            ],
        }
        cache.set(FILTER_CHOICES_KEY, data, FILTER_CHOICES_SECONDS)
    return data


# What a chip, the grid and the today list read (fewer columns, faster rows).
CHIP_FIELDS = [
    "id",
    "patient_id",
    "provider_id",
    "location_id",
    "room_id",
    "appointment_type_id",
    "start",
    "end",
    "status",
    "is_double_booked",
    "override_reason",
    "eligibility_status",
    "eligibility_checked_at",
    "arrived_at",
    "patient__given_name",
    "patient__family_name",
    "room__name",
    "appointment_type__name",
    "appointment_type__colour",
    "patient__restriction",
]


def appointments_between(*, start: datetime, end: datetime):
    """Visits overlapping a span, with everything a chip shows (one query)."""
    no_shows = (
        Appointment.objects.filter(patient_id=OuterRef("patient_id"), status=S.NO_SHOW)
        .order_by()
        .values("patient_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Appointment.objects.overlapping(start, end)
        .select_related("patient", "appointment_type", "room")
        .only(*CHIP_FIELDS)
        .annotate(no_show_count=Coalesce(Subquery(no_shows), 0))
        .order_by("start", "pk")
    )


def no_show_counts(patient_ids) -> dict[int, int]:
    rows = (
        Appointment.objects.filter(patient_id__in=set(patient_ids), status=S.NO_SHOW)
        .values("patient_id")
        .annotate(n=Count("pk"))
    )
    return {row["patient_id"]: row["n"] for row in rows}


def eligibility_state(appointment: Appointment, now: datetime) -> str:
    """verified, failed, stale or unchecked: what the day view shows."""
    if not appointment.eligibility_status:
        return "unchecked"
    checked = appointment.eligibility_checked_at
    if checked is None or now - checked > timedelta(hours=STALE_AFTER_HOURS):
        return "stale"
    return appointment.eligibility_status


@dataclass
class GridCell:
    rowspan: int = 1
    appointments: list = field(default_factory=list)


# An empty cell outside the column's working hours (drawn shaded: "closed").
CLOSED = "closed"


@dataclass
class GridRow:
    label: str
    cells: list  # GridCell or None (an empty cell); cells under a rowspan are absent


class ChipRow(SimpleNamespace):
    """One visit as the grid and the today list show it: plain attributes read from
    one ``values_list`` row (model instances cost more than the page can afford),
    plus ``local_start`` / ``local_end`` in the clinic's time zone."""


def _decorate(queryset, now) -> list[ChipRow]:
    zone = timezone.get_default_timezone()
    stale_before = now - timedelta(hours=STALE_AFTER_HOURS)
    # Rows of one type (or room) share one object: a day has few of them.
    types: dict[int, SimpleNamespace] = {}
    rooms: dict[int, SimpleNamespace] = {}
    rows = []
    for (
        pk,
        patient_id,
        provider_id,
        location_id,
        room_id,
        type_id,
        start,
        end,
        status,
        is_double_booked,
        override_reason,
        eligibility_status,
        eligibility_checked_at,
        arrived_at,
        given_name,
        family_name,
        room_name,
        type_name,
        type_colour,
        restriction,
        no_show_count,
    ) in queryset.values_list(*CHIP_FIELDS, "no_show_count"):
        visit_type = types.get(type_id)
        if visit_type is None:
            visit_type = types[type_id] = SimpleNamespace(
                name=type_name, colour=type_colour
            )
        room = None
        if room_id:
            room = rooms.get(room_id)
            if room is None:
                room = rooms[room_id] = SimpleNamespace(name=room_name)
        # eligibility_state(), inlined: it runs for every visit of the page.
        if not eligibility_status:
            state = "unchecked"
        elif eligibility_checked_at is None or eligibility_checked_at < stale_before:
            state = "stale"
        else:
            state = eligibility_status
        rows.append(
            ChipRow(
                pk=pk,
                id=pk,
                patient_id=patient_id,
                provider_id=provider_id,
                location_id=location_id,
                room_id=room_id,
                appointment_type_id=type_id,
                start=start,
                end=end,
                local_start=start.astimezone(zone),
                local_end=end.astimezone(zone),
                status=status,
                is_double_booked=is_double_booked,
                override_reason=override_reason,
                eligibility_status=eligibility_status,
                eligibility_checked_at=eligibility_checked_at,
                eligibility_state=state,
                arrived_at=arrived_at,
                no_show_count=no_show_count,
                patient=SimpleNamespace(
                    given_name=given_name,
                    family_name=family_name,
                    restriction=restriction,
                ),
                appointment_type=visit_type,
                room=room,
            )
        )
    return rows


def build_grid(*, columns, appointments, column_of, first_day: date, open_at=None):
    """A table of GRID_STEP rows × columns; overlapping visits share one cell.

    ``column_of(appointment)`` names the column (a key of ``columns``): a provider,
    a room, or a day in the week view. Rows are the clinic's wall-clock times.
    ``appointments`` are ChipRows (``_decorate``), which carry their local times.
    ``open_at`` (optional): ``{column key: [(start, end), ...]}`` working sessions;
    an empty cell outside them is CLOSED.
    """
    grid_start = GRID_START.hour * 60 + GRID_START.minute
    grid_rows = (GRID_END.hour * 60 + GRID_END.minute - grid_start) // GRID_STEP_MINUTES
    keys = list(columns)
    index = {key: i for i, key in enumerate(keys)}
    by_column = defaultdict(list)
    for a in appointments:
        key = column_of(a)
        if key in index:
            by_column[key].append(a)

    def minutes_of(local: datetime, day: date) -> int:
        days = (local.date() - day).days
        return days * 24 * 60 + local.hour * 60 + local.minute - grid_start

    placed: dict[tuple[int, int], GridCell] = {}
    covered: set[tuple[int, int]] = set()
    for key, items in by_column.items():
        col = index[key]
        clusters: list[list] = []
        cluster_end = None
        for a in sorted(items, key=attrgetter("start")):
            if clusters and a.start < cluster_end:
                clusters[-1].append(a)
                cluster_end = max(cluster_end, a.end)
            else:
                clusters.append([a])
                cluster_end = a.end
        next_free, last = 0, None
        for group in clusters:
            first = group[0].local_start
            day = first.date()
            top = minutes_of(first, day) // GRID_STEP_MINUTES
            top = max(top, next_free, 0)
            if top >= grid_rows:
                if last is None:
                    last = placed[(grid_rows - 1, col)] = GridCell()
                last.appointments.extend(group)
                continue
            ending = group[0] if len(group) == 1 else max(group, key=attrgetter("end"))
            end_minutes = minutes_of(ending.local_end, day)
            bottom = -(-end_minutes // GRID_STEP_MINUTES)
            bottom = min(max(bottom, top + 1), grid_rows)
            last = placed[(top, col)] = GridCell(bottom - top, list(group))
            covered.update((r, col) for r in range(top + 1, bottom))
            next_free = bottom
    rows = []
    columns_range = range(len(keys))
    day_of = {
        c: keys[c] if isinstance(keys[c], date) else first_day for c in columns_range
    }
    for r in range(grid_rows):
        minutes = grid_start + r * GRID_STEP_MINUTES
        label = f"{minutes // 60:02d}:{minutes % 60:02d}"
        cells = []
        for c in columns_range:
            if (r, c) in covered:
                continue
            cell = placed.get((r, c))
            if cell is None and open_at is not None:
                start = at_local(day_of[c], time(minutes // 60, minutes % 60))
                end = start + timedelta(minutes=GRID_STEP_MINUTES)
                sessions = open_at.get(keys[c], ())
                if not any(a < end and start < b for a, b in sessions):
                    cell = CLOSED
            cells.append(cell)
        rows.append(GridRow(label=label, cells=cells))
    return rows


def working_sessions(*, provider_ids, first_day: date, last_day: date) -> dict:
    """Each provider's working sessions over the days, as (start, end) pairs."""
    found = sessions_for(
        provider_ids=list(provider_ids), start_day=first_day, end_day=last_day
    )
    return {pk: [(a, b) for a, b, _loc in items] for pk, items in found.items()}


def day_view(
    *,
    day: date,
    by: str = "provider",
    location_id: int | None = None,
    provider_id: int | None = None,
    now: datetime | None = None,
) -> dict:
    """Everything the day grid shows, in two queries."""
    now = now or timezone.now()
    appointments = appointments_between(
        start=local_midnight(day), end=local_midnight(day + timedelta(days=1))
    ).exclude(status=S.CANCELLED)
    if location_id:
        appointments = appointments.filter(location_id=location_id)
    if provider_id:
        appointments = appointments.filter(provider_id=provider_id)
    appointments = _decorate(appointments, now)
    if by == "room":
        rooms = Room.objects.filter(is_active=True).select_related("location")
        if location_id:
            rooms = rooms.filter(location_id=location_id)
        columns = {room.pk: str(room) for room in rooms}
        column_of = attrgetter("room_id")
    else:
        providers = Provider.objects.filter(is_active=True)
        if provider_id:
            providers = providers.filter(pk=provider_id)
        elif location_id:
            busy_here = {a.provider_id for a in appointments}
            works_here = AvailabilityRule.objects.filter(
                provider_id=OuterRef("pk"), location_id=location_id
            )
            providers = providers.filter(Q(Exists(works_here)) | Q(pk__in=busy_here))
        columns = {p.pk: str(p) for p in providers}
        column_of = attrgetter("provider_id")
    open_at = None
    if by != "room":
        open_at = working_sessions(provider_ids=columns, first_day=day, last_day=day)
    rows = build_grid(
        columns=columns,
        appointments=appointments,
        column_of=column_of,
        first_day=day,
        open_at=open_at,
    )
    return {
        "columns": list(columns.values()),
        "rows": rows,
        "appointments": appointments,
        "count": len(appointments),
    }


def week_view(
    *, first_day: date, provider: Provider | None = None, room: Room | None = None
) -> dict:
    """One provider's (or room's) week: columns are days."""
    now = timezone.now()
    days = [first_day + timedelta(days=i) for i in range(7)]
    appointments = appointments_between(
        start=local_midnight(first_day), end=local_midnight(days[-1] + timedelta(1))
    ).exclude(status=S.CANCELLED)
    if provider is not None:
        appointments = appointments.filter(provider=provider)
    if room is not None:
        appointments = appointments.filter(room=room)
    appointments = _decorate(appointments, now)
    open_at = None
    if provider is not None:
        sessions = working_sessions(
            provider_ids=[provider.pk], first_day=first_day, last_day=days[-1]
        ).get(provider.pk, [])
        open_at = {d: [] for d in days}
        for start, end in sessions:
            open_at[timezone.localtime(start).date()].append((start, end))
    columns = {
        d: f"{d:%a %d %b}"
        + (f" · {_('closed')}" if open_at is not None and not open_at[d] else "")
        for d in days
    }
    rows = build_grid(
        columns=columns,
        appointments=appointments,
        column_of=lambda a: timezone.localtime(a.start).date(),
        first_day=first_day,
        open_at=open_at,
    )
    return {
        "columns": list(columns.values()),
        "rows": rows,
        "days": days,
        "appointments": appointments,
    }


def today_board(*, now: datetime | None = None, location_id: int | None = None):
    """The front desk's day: expected, waiting (with minutes waited), in room, done."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    appointments = appointments_between(
        start=local_midnight(day), end=local_midnight(day + timedelta(days=1))
    )
    if location_id:
        appointments = appointments.filter(location_id=location_id)
    appointments = _decorate(appointments, now)
    board = {"expected": [], "waiting": [], "in_room": [], "done": [], "missed": []}
    for a in appointments:
        if a.status in Appointment.UPCOMING_STATUSES:
            board["expected"].append(a)
        elif a.status == S.ARRIVED:
            a.minutes_waited = int((now - a.arrived_at).total_seconds() // 60)
            board["waiting"].append(a)
        elif a.status == S.IN_ROOM:
            board["in_room"].append(a)
        elif a.status == S.COMPLETED:
            board["done"].append(a)
        else:
            board["missed"].append(a)
    board["waiting"].sort(key=lambda a: a.arrived_at)
    return board
