"""Slot: a free time the slot finder computes, never stored.

A slot's id spells its schedule (the provider's pk), the visit type's pk and its
start in UTC to the minute (``12-3-202612081430``), so a client can read it back
and book it. Every read asks the slot finder again: an id that is forged, off
the provider's 15-minute grid or hours, or whose time was taken or has passed
since, names no free slot.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic import clock
from clinic.fhir_datatypes import clean, instant, reference
from clinic.fhir_declaration import computed_by_ids
from scheduling import slots
from scheduling.fhir.mappers import visit_type, visit_type_q
from scheduling.models import AppointmentType, Location, Provider

SLOT_ID = re.compile(r"^(\d{1,12})-(\d{1,12})-(\d{12})$")
# At most this many slots start on one day (15-minute grid, a whole day).
SLOTS_PER_DAY = 24 * 60 // 15


@dataclass(frozen=True)
class SlotKey:
    provider_id: int
    type_id: int
    start: datetime

    @property
    def id(self) -> str:
        return f"{self.provider_id}-{self.type_id}-{self.start:%Y%m%d%H%M}"


def slot_key_parse(slot_id: str) -> SlotKey | None:
    """The key a slot id spells, or None when it is not one of ours."""
    match = SLOT_ID.match(slot_id or "")
    if not match:
        return None
    try:
        start = datetime.strptime(match[3], "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None
    return SlotKey(int(match[1]), int(match[2]), start)


def slot_key(slot: slots.Slot, appointment_type: AppointmentType) -> SlotKey:
    return SlotKey(slot.provider.pk, appointment_type.pk, slot.start.astimezone(UTC))


def slot_to_fhir(slot: slots.Slot, appointment_type: AppointmentType) -> dict:
    """A free time for a visit of this type, as the slot finder gives it (R4's
    Slot has no place: ``comment`` names it; the Schedule lists them all)."""
    return clean(
        {
            "resourceType": "Slot",
            "id": slot_key(slot, appointment_type).id,
            "schedule": reference("Schedule", slot.provider.pk, str(slot.provider)),
            "status": "free",
            "serviceType": [visit_type(appointment_type)],
            "start": instant(slot.start),
            "end": instant(slot.end),
            "comment": slot.location.name,
        }
    )


@dataclass(frozen=True)
class SlotTarget:
    """What a slot id names, free or not: who, what, when and where."""

    key: SlotKey
    provider: Provider
    appointment_type: AppointmentType
    location: Location


def slot_target(slot_id: str) -> SlotTarget | None:
    """The provider's time a slot id names, taken or not: None unless the
    provider and the type are active, the provider may see the type, and the
    time lies on the grid of one of the provider's sessions that day."""
    key = slot_key_parse(slot_id)
    if key is None:
        return None
    appointment_type = AppointmentType.objects.filter(
        pk=key.type_id, is_active=True
    ).first()
    provider = Provider.objects.filter(pk=key.provider_id, is_active=True).first()
    if appointment_type is None or provider is None:
        return None
    if not slots.allowed_providers(appointment_type, provider):
        return None
    day = clock.today(key.start)
    sessions = slots.sessions_for(
        provider_ids=[provider.pk], start_day=day, end_day=day
    ).get(provider.pk, [])
    end = key.start + timedelta(minutes=appointment_type.duration_minutes)
    location_id = next(
        (
            loc
            for start, stop, loc in sessions
            if start <= key.start
            and end <= stop
            and (key.start - start) % slots.SLOT_STEP == timedelta(0)
        ),
        None,
    )
    if location_id is None:
        return None
    location = Location.objects.get(pk=location_id)
    return SlotTarget(key, provider, appointment_type, location)


def slot_find(slot_id: str) -> tuple[slots.Slot, AppointmentType] | None:
    """The free slot an id names, asked of the slot finder now (None: see the
    module's docstring)."""
    target = slot_target(slot_id)
    if target is None:
        return None
    day = clock.today(target.key.start)
    found = slots.find_slots(
        appointment_type=target.appointment_type,
        provider=target.provider,
        start_day=day,
        end_day=day,
        limit=SLOTS_PER_DAY,
    )
    return next(
        (
            (slot, target.appointment_type)
            for slot in found
            if slot.start == target.key.start
        ),
        None,
    )


def _order(item: tuple[slots.Slot, AppointmentType]) -> tuple:
    slot, appointment_type = item
    return (slot.start, slot.provider.pk, appointment_type.pk)


def free_slots(
    *,
    provider_ids: list[int] | None = None,
    type_ids: list[int] | None = None,
    start_from: datetime | None = None,
    start_before: datetime | None = None,
    after: SlotKey | None = None,
    limit: int = 20,
) -> list[tuple[slots.Slot, AppointmentType]]:
    """Free slots in (start, schedule, type) order, the slot finder's search for
    each visit type (of ``type_ids``, else every active one) with each provider
    (of ``provider_ids``, else all who may see it); ``after`` is the last slot of
    the page before (a keyset: a slot taken meanwhile never shifts the next
    page). The span defaults to the slot finder's (4 weeks from today)."""
    types = AppointmentType.objects.filter(is_active=True).order_by("pk")
    if type_ids is not None:
        types = types.filter(pk__in=type_ids)
    providers: list[Provider | None] = [None]
    if provider_ids is not None:
        providers = list(
            Provider.objects.filter(pk__in=provider_ids, is_active=True).order_by("pk")
        )
    not_before = max(
        moment
        for moment in (timezone.now(), start_from, after and after.start)
        if moment is not None
    )
    start_day = clock.today(not_before)
    end_day = None
    if start_before is not None:
        end_day = clock.today(start_before - timedelta(microseconds=1))
        if end_day < start_day:
            return []
    # Slots at ``after``'s very start that come before it in the order.
    spare = Provider.objects.filter(is_active=True).count()
    found = []
    for appointment_type in types:
        for provider in providers:
            found += [
                (slot, appointment_type)
                for slot in slots.find_slots(
                    appointment_type=appointment_type,
                    provider=provider,
                    start_day=start_day,
                    end_day=end_day,
                    limit=limit + spare,
                    now=not_before,
                )
            ]
    last = (after.start, after.provider_id, after.type_id) if after else None
    kept = [
        item
        for item in sorted(found, key=_order)
        if (last is None or _order(item) > last)
        and (start_before is None or item[0].start < start_before)
    ]
    return kept[:limit]


def slot_read(slot_id: str) -> dict | None:
    found = slot_find(slot_id)
    return slot_to_fhir(*found) if found else None


NOT_ONE_DATE = "start takes one value at a time (repeat it: start=ge...&start=lt...)."
NO_NE = "start takes no ne prefix."


def _span(ranges: list[list]) -> tuple[datetime | None, datetime | None]:
    """[from, before) of the start= occurrences (all must hold)."""
    start_from = start_before = None
    for values in ranges:
        if len(values) != 1:
            raise ValidationError(NOT_ONE_DATE)
        wanted = values[0]
        if wanted.prefix == "ne":
            raise ValidationError(NO_NE)
        low = {"ge": wanted.start, "eq": wanted.start}.get(wanted.prefix)
        low = wanted.end if wanted.prefix in ("gt", "sa") else low
        high = {"le": wanted.end, "eq": wanted.end}.get(wanted.prefix)
        high = wanted.start if wanted.prefix in ("lt", "eb") else high
        if low is not None:
            start_from = max(start_from or low, low)
        if high is not None:
            start_before = min(start_before or high, high)
    return start_from, start_before


def _digits(idents) -> list[int]:
    return [int(i) for i in idents if i.isascii() and i.isdigit() and len(i) <= 12]


def _type_ids(occurrences: list[list]) -> list[int] | None:
    """Visit types a service-type= names (by our code or CPT), all must hold."""
    wanted = None
    for tokens in occurrences:
        named = set(
            AppointmentType.objects.filter(visit_type_q(tokens)).values_list(
                "pk", flat=True
            )
        )
        wanted = named if wanted is None else wanted & named
    return None if wanted is None else sorted(wanted)


def slot_search(params: dict, *, after: str | None, count: int):
    """Free slots for ``Slot?schedule=&start=&status=free&service-type=``
    (``clinic.fhir_declaration.Computed`` says what ``params`` holds)."""
    if any(code != "free" for ts in params.get("status", []) for _s, code in ts):
        return [], False
    if "_id" in params:
        return computed_by_ids(slot_read, params, after=after, count=count)
    key = slot_key_parse(after) if after else None
    schedules = None
    for idents in params.get("schedule", []):
        named = set(_digits(idents))
        schedules = named if schedules is None else schedules & named
    start_from, start_before = _span(params.get("start", []))
    found = free_slots(
        provider_ids=None if schedules is None else sorted(schedules),
        type_ids=_type_ids(params.get("service-type", [])),
        start_from=start_from,
        start_before=start_before,
        after=key,
        limit=count + 1,
    )
    return [slot_to_fhir(*item) for item in found[:count]], len(found) > count
