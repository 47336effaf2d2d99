"""Availability and the slot finder.

Working hours are weekly templates in the clinic's wall-clock time; a session is
turned into aware datetimes day by day (``datetime(..., tzinfo=clinic zone)``), so
08:00-12:00 stays 08:00-12:00 local on both sides of a daylight-saving change.
Everything a search needs is read in a fixed number of queries per week searched,
never one per slot.
"""

import heapq
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice

from django.db.models import BigIntegerField, Exists, Func, Q
from django.utils import timezone

from clinic.clock import at_local, clinic_zone, local_midnight
from scheduling.models import (
    Appointment,
    AppointmentType,
    AvailabilityException,
    AvailabilityRule,
    Location,
    Provider,
    Room,
)

SLOT_STEP = timedelta(minutes=15)
# The first look is one day (most searches end there), then wider windows.
SEARCH_CHUNKS_DAYS = [1, 2, 4, 7]
DEFAULT_SEARCH_DAYS = 28
PARTS_OF_DAY = {
    "morning": (time(0, 0), time(12, 0)),
    "afternoon": (time(12, 0), time(17, 0)),
    "evening": (time(17, 0), time(23, 59, 59)),
}
OFF_KINDS = [
    AvailabilityException.Kind.VACATION,
    AvailabilityException.Kind.HOLIDAY,
    AvailabilityException.Kind.BLOCKED,
]

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    provider: Provider
    location: Location
    room: Room | None

    @property
    def key(self) -> str:
        return f"{self.provider.pk}:{self.start.isoformat()}"


def subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    """Intervals minus holes (both lists of [start, end))."""
    result = []
    for start, end in intervals:
        pieces = [(start, end)]
        for hole_start, hole_end in holes:
            next_pieces = []
            for a, b in pieces:
                if hole_end <= a or hole_start >= b:
                    next_pieces.append((a, b))
                    continue
                if a < hole_start:
                    next_pieces.append((a, hole_start))
                if hole_end < b:
                    next_pieces.append((hole_end, b))
            pieces = next_pieces
        result.extend(pieces)
    return result


def merge(intervals) -> list[Interval]:
    """The union of intervals, sorted and disjoint."""
    merged: list[list[datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


class BusyIndex:
    """Disjoint busy intervals with an O(log n) overlap test (datetimes, or the
    slot finder's epoch seconds: anything ordered)."""

    def __init__(self, intervals):
        merged = merge(intervals)
        self.starts = [a for a, _b in merged]
        self.ends = [b for _a, b in merged]

    def is_free(self, start, end) -> bool:
        i = bisect_left(self.starts, end)
        return i == 0 or self.ends[i - 1] <= start


def sessions_for(
    *, provider_ids, start_day: date, end_day: date, location_id: int | None = None
) -> dict[int, list[tuple[datetime, datetime, int]]]:
    """Working sessions per provider between two days (inclusive): templates plus
    extra sessions minus time off. Two queries."""
    rules = AvailabilityRule.objects.filter(provider_id__in=provider_ids).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=end_day),
        Q(valid_until__isnull=True) | Q(valid_until__gte=start_day),
    )
    span_days = (end_day - start_day).days + 1
    if span_days < 7:
        rules = rules.filter(
            weekday__in={
                (start_day + timedelta(days=i)).weekday() for i in range(span_days)
            }
        )
    if location_id:
        rules = rules.filter(location_id=location_id)
    by_weekday = defaultdict(list)
    for rule in rules.order_by().values_list(
        "weekday",
        "provider_id",
        "location_id",
        "start_time",
        "end_time",
        "valid_from",
        "valid_until",
    ):
        by_weekday[rule[0]].append(rule[1:])
    window = (local_midnight(start_day), local_midnight(end_day + timedelta(days=1)))
    exceptions = list(
        AvailabilityException.objects.filter(
            Q(provider_id__in=provider_ids) | Q(provider__isnull=True),
            start__lt=window[1],
            end__gt=window[0],
        )
    )
    sessions: dict[int, list[tuple[datetime, datetime, int]]] = defaultdict(list)
    day = start_day
    while day <= end_day:
        for (
            provider_id,
            loc_id,
            start_time,
            end_time,
            valid_from,
            valid_until,
        ) in by_weekday.get(day.weekday(), ()):
            if valid_from and day < valid_from:
                continue
            if valid_until and day > valid_until:
                continue
            sessions[provider_id].append(
                (at_local(day, start_time), at_local(day, end_time), loc_id)
            )
        day += timedelta(days=1)
    off: dict[int | None, list[Interval]] = defaultdict(list)
    for exc in exceptions:
        if exc.kind == AvailabilityException.Kind.EXTRA:
            if location_id and exc.location_id != location_id:
                continue
            sessions[exc.provider_id].append(
                (exc.start.astimezone(UTC), exc.end.astimezone(UTC), exc.location_id)
            )
        else:
            off[exc.provider_id].append(
                (exc.start.astimezone(UTC), exc.end.astimezone(UTC))
            )
    result = {}
    for provider_id, items in sessions.items():
        holes = off.get(provider_id, []) + off.get(None, [])
        cut = []
        for start, end, loc in items:
            cut.extend((a, b, loc) for a, b in subtract([(start, end)], holes))
        result[provider_id] = sorted(cut)
    return result


def is_within_availability(
    *, provider: Provider, location: Location, start: datetime, end: datetime
) -> bool:
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    local_start = timezone.localtime(start, clinic_zone()).date()
    local_end = timezone.localtime(end, clinic_zone()).date()
    sessions = sessions_for(
        provider_ids=[provider.pk],
        start_day=local_start,
        end_day=local_end,
        location_id=location.pk,
    ).get(provider.pk, [])
    return any(a <= start and end <= b for a, b, _loc in sessions)


def allowed_providers(appointment_type: AppointmentType, provider: Provider | None):
    """Active providers who may see this type (all, when it names none). One query."""
    through = AppointmentType.providers.through
    providers = Provider.objects.filter(is_active=True).filter(
        Q(appointment_types=appointment_type)
        | ~Exists(through.objects.filter(appointmenttype_id=appointment_type.pk))
    )
    if provider is not None:
        providers = providers.filter(pk=provider.pk)
    return list(providers.distinct())


class Epoch(Func):
    """Seconds since 1970 as an integer: plain ints parse far faster than
    timestamps, and the slot finder reads hundreds of them per search. Round with
    ``floor`` for starts and ``ceil`` for ends, so busy time never shrinks."""

    output_field = BigIntegerField()

    def __init__(self, expression, round="floor", **extra):
        super().__init__(expression, round=round, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="%(round)s(EXTRACT(EPOCH FROM %(expressions)s))::bigint",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        # Whole seconds; the embedded default stores whole-minute visit times.
        # ('%%%%s' is '%%s' after the template, then '%s' after the backend's
        # placeholder pass.)
        return self.as_sql(
            compiler,
            connection,
            template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)",
            **extra,
        )


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _start_windows(first: int, last: int, part: str) -> list[tuple[int, int]]:
    """The [first, last] start times left by a part of the day, on each local day
    the span touches (usually one)."""
    if not part:
        return [(first, last)]
    low, high = PARTS_OF_DAY[part]
    zone = clinic_zone()
    day = datetime.fromtimestamp(first, zone).date()
    last_day = datetime.fromtimestamp(last, zone).date()
    windows = []
    while day <= last_day:
        a = max(first, _epoch(at_local(day, low)))
        b = min(last, _epoch(at_local(day, high)) - 1)
        if a <= b:
            windows.append((a, b))
        day += timedelta(days=1)
    return windows


def _provider_slots(
    *,
    provider,
    sessions,
    busy: BusyIndex,
    rooms_by_location,
    room_busy,
    duration: int,
    not_before: int,
    part: str,
) -> Iterator[tuple]:
    """(start, provider name, provider id, end, location id, room) in time order;
    times in epoch seconds, on each session's 15-minute grid."""
    step = int(SLOT_STEP.total_seconds())
    name, pk = provider.name, provider.pk
    for session_start, session_end, location_id in sessions:
        rooms = None
        if rooms_by_location is not None:
            rooms = rooms_by_location.get(location_id, ())
        for first, last in _start_windows(session_start, session_end - duration, part):
            first = max(first, not_before)
            candidate = session_start + -(-(first - session_start) // step) * step
            while candidate <= last:
                end = candidate + duration
                if busy.is_free(candidate, end):
                    if rooms is None:
                        yield (candidate, name, pk, end, location_id, None)
                    else:
                        for room in rooms:
                            if room_busy[room.pk].is_free(candidate, end):
                                yield (candidate, name, pk, end, location_id, room)
                                break
                candidate += step


def find_slots(
    *,
    appointment_type: AppointmentType,
    provider: Provider | None = None,
    location: Location | None = None,
    start_day: date | None = None,
    end_day: date | None = None,
    part_of_day: str = "",
    limit: int = 20,
    now: datetime | None = None,
    ignore_appointment_id: int | None = None,
) -> list[Slot]:
    """The next free slots for a visit of this type, earliest first.

    A slot lies inside a provider's session, overlaps none of the provider's active
    appointments, and (when the type needs one) has a room of the right kind free at
    the session's location for the whole visit. The search runs on epoch seconds
    and makes datetimes only for the slots it returns.
    """
    now = (now or timezone.now()).astimezone(UTC)
    not_before = int(-(-now.timestamp() // 1))  # a whole second, never before now
    today = timezone.localtime(now, clinic_zone()).date()
    start_day = max(start_day or today, today)
    end_day = end_day or start_day + timedelta(days=DEFAULT_SEARCH_DAYS - 1)
    providers = allowed_providers(appointment_type, provider)
    if not providers:
        return []
    provider_ids = [p.pk for p in providers]
    by_pk = {p.pk: p for p in providers}
    duration = appointment_type.duration_minutes * 60
    locations = {loc.pk: loc for loc in Location.objects.all()}
    rooms_by_location = None
    room_ids: list[int] = []
    if appointment_type.room_kind:
        rooms_by_location = defaultdict(list)
        for room in Room.objects.filter(
            kind=appointment_type.room_kind, is_active=True
        ):
            rooms_by_location[room.location_id].append(room)
            room_ids.append(room.pk)
    wanted = Q(provider_id__in=provider_ids)
    if room_ids:
        wanted |= Q(room_id__in=room_ids)
    id_set, room_set = set(provider_ids), set(room_ids)
    found: list[Slot] = []
    chunk_start = start_day
    chunk = 0
    while chunk_start <= end_day and len(found) < limit:
        size = SEARCH_CHUNKS_DAYS[min(chunk, len(SEARCH_CHUNKS_DAYS) - 1)]
        chunk += 1
        chunk_end = min(chunk_start + timedelta(days=size - 1), end_day)
        sessions = sessions_for(
            provider_ids=provider_ids,
            start_day=chunk_start,
            end_day=chunk_end,
            location_id=location.pk if location else None,
        )
        window = (
            local_midnight(chunk_start),
            local_midnight(chunk_end + timedelta(days=1)),
        )
        # One query for the providers' and the rooms' busy time.
        active = Appointment.objects.overlapping(*window).filter(
            wanted, status__in=Appointment.ACTIVE_STATUSES
        )
        if ignore_appointment_id:
            active = active.exclude(pk=ignore_appointment_id)
        provider_busy, by_room = defaultdict(list), defaultdict(list)
        for pid, rid, a, b in active.order_by().values_list(
            "provider_id", "room_id", Epoch("start"), Epoch("end", round="ceil")
        ):
            if pid in id_set:
                provider_busy[pid].append((a, b))
            if rid in room_set:
                by_room[rid].append((a, b))
        room_busy = defaultdict(lambda: BusyIndex([]))
        for rid, items in by_room.items():
            room_busy[rid] = BusyIndex(items)
        streams = [
            _provider_slots(
                provider=p,
                sessions=[
                    (_epoch(a), _epoch(b), loc) for a, b, loc in sessions.get(p.pk, [])
                ],
                busy=BusyIndex(provider_busy.get(p.pk, [])),
                rooms_by_location=rooms_by_location,
                room_busy=room_busy,
                duration=duration,
                not_before=not_before,
                part=part_of_day,
            )
            for p in providers
        ]
        merged = heapq.merge(*streams, key=lambda item: item[:3])
        for start, _name, pid, end, location_id, room in islice(
            merged, limit - len(found)
        ):
            found.append(
                Slot(
                    datetime.fromtimestamp(start, UTC),
                    datetime.fromtimestamp(end, UTC),
                    by_pk[pid],
                    locations[location_id],
                    room,
                )
            )
        chunk_start = chunk_end + timedelta(days=1)
    return found
