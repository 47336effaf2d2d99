from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from scheduling.models import AvailabilityException, AvailabilityRule, Room
from scheduling.slots import find_slots
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
    RoomFactory,
    local,
)

pytestmark = pytest.mark.django_db

# America/New_York springs forward on Sunday 14 March 2027 (02:00 -> 03:00).
DST_SUNDAY = date(2027, 3, 14)
EARLIER = local(date(2027, 3, 1), 0)


@pytest.fixture
def setup(db, settings):
    settings.TIME_ZONE = "America/New_York"
    location = LocationFactory(code="main")
    provider = ProviderFactory(name="Dr Adams")
    visit = AppointmentTypeFactory(duration_minutes=30)
    return location, provider, visit


def rule(provider, location, weekday, start, end):
    return AvailabilityRule.objects.create(
        provider=provider,
        location=location,
        weekday=weekday,
        start_time=start,
        end_time=end,
    )


def local_times(slots):
    return [timezone.localtime(s.start).strftime("%m-%d %H:%M") for s in slots]


def test_monday_mornings_stay_at_eight_local_across_the_dst_change(setup):
    location, provider, visit = setup
    rule(provider, location, 0, time(8), time(9))
    slots = find_slots(
        appointment_type=visit,
        start_day=date(2027, 3, 8),
        end_day=date(2027, 3, 15),
        now=EARLIER,
    )
    assert local_times(slots) == [
        "03-08 08:00",
        "03-08 08:15",
        "03-08 08:30",
        "03-15 08:00",
        "03-15 08:15",
        "03-15 08:30",
    ]
    # Same wall clock, one hour less offset from UTC after the change.
    utc_hours = [s.start.astimezone(UTC).hour for s in (slots[0], slots[3])]
    assert utc_hours == [13, 12]


def test_a_session_over_the_skipped_hour_is_two_hours_long(setup):
    location, provider, visit = setup
    rule(provider, location, 6, time(1), time(4))  # Sunday 01:00-04:00 local
    slots = find_slots(
        appointment_type=visit, start_day=DST_SUNDAY, end_day=DST_SUNDAY, now=EARLIER
    )
    assert local_times(slots) == [
        "03-14 01:00",
        "03-14 01:15",
        "03-14 01:30",
        "03-14 01:45",
        "03-14 03:00",
        "03-14 03:15",
        "03-14 03:30",
    ]


def test_booked_time_vacation_and_holidays_are_not_offered(setup):
    location, provider, visit = setup
    day = date(2027, 3, 2)  # a Tuesday
    rule(provider, location, 1, time(8), time(10))
    AppointmentFactory(
        provider=provider,
        location=location,
        appointment_type=visit,
        start=local(day, 8, 30),
        patient=PatientFactory(),
    )
    AvailabilityException.objects.create(
        provider=provider,
        kind=AvailabilityException.Kind.BLOCKED,
        start=local(day, 9, 30),
        end=local(day, 10),
    )
    AvailabilityException.objects.create(
        provider=None,
        kind=AvailabilityException.Kind.HOLIDAY,
        start=local(day + timedelta(days=7), 0),
        end=local(day + timedelta(days=8), 0),
    )
    slots = find_slots(
        appointment_type=visit,
        start_day=day,
        end_day=day + timedelta(days=7),
        now=EARLIER,
    )
    assert local_times(slots) == ["03-02 08:00", "03-02 09:00"]


def test_an_extra_session_adds_slots_and_validity_dates_limit_rules(setup):
    location, provider, visit = setup
    old = rule(provider, location, 2, time(8), time(9))
    old.valid_until = date(2027, 3, 5)
    old.save()
    AvailabilityException.objects.create(
        provider=provider,
        location=location,
        kind=AvailabilityException.Kind.EXTRA,
        start=local(date(2027, 3, 13), 10),
        end=local(date(2027, 3, 13), 11),
    )
    slots = find_slots(
        appointment_type=visit,
        start_day=date(2027, 3, 1),
        end_day=date(2027, 3, 14),
        now=EARLIER,
    )
    assert local_times(slots) == [
        "03-03 08:00",
        "03-03 08:15",
        "03-03 08:30",
        "03-13 10:00",
        "03-13 10:15",
        "03-13 10:30",
    ]


def test_room_needs_provider_choice_and_part_of_day(setup):
    location, provider, visit = setup
    other = ProviderFactory(name="Dr Baker")
    infusion = AppointmentTypeFactory(
        duration_minutes=60, room_kind=Room.Kind.INFUSION_CHAIR
    )
    infusion.providers.set([provider])
    chair = RoomFactory(location=location, kind=Room.Kind.INFUSION_CHAIR)
    day = date(2027, 3, 2)
    for who in (provider, other):
        rule(who, location, 1, time(8), time(14))
    # The only chair is taken 08:00-12:00 by Dr Baker's patient.
    AppointmentFactory(
        provider=other,
        location=location,
        room=chair,
        start=local(day, 8),
        end=local(day, 12),
    )
    slots = find_slots(
        appointment_type=infusion,
        start_day=day,
        end_day=day,
        now=EARLIER,
        part_of_day="afternoon",
    )
    assert local_times(slots) == [
        "03-02 12:00",
        "03-02 12:15",
        "03-02 12:30",
        "03-02 12:45",
        "03-02 13:00",
    ]
    assert {s.provider for s in slots} == {provider}
    assert {s.room for s in slots} == {chair}


def test_slots_merge_providers_in_time_order_without_per_slot_queries(
    setup, django_assert_max_num_queries
):
    location, provider, visit = setup
    providers = [provider] + [ProviderFactory() for _ in range(9)]
    for who in providers:
        for weekday in range(7):
            rule(who, location, weekday, time(8), time(17))
    now = local(date(2027, 3, 1), 7)
    with django_assert_max_num_queries(6):
        slots = find_slots(appointment_type=visit, limit=30, now=now)
    assert len(slots) == 30
    assert [s.start for s in slots] == sorted(s.start for s in slots)
    assert slots[0].start == local(date(2027, 3, 1), 8)
    assert len({s.provider.pk for s in slots[:10]}) == 10


def test_nothing_in_the_past_is_offered(setup):
    location, provider, visit = setup
    for weekday in range(7):
        rule(provider, location, weekday, time(0), time(23, 30))
    now = datetime(2027, 3, 2, 15, 5, tzinfo=timezone.get_default_timezone())
    slots = find_slots(appointment_type=visit, limit=1, now=now)
    assert local_times(slots) == ["03-02 15:15"]


def test_epoch_seconds_on_postgresql_and_on_the_embedded_sqlite(setup):
    """The slot finder reads busy time as epoch seconds; the SQL differs per
    database, and `make run` uses SQLite."""
    from django.db import connection
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from scheduling.models import Appointment
    from scheduling.slots import Epoch

    location, provider, visit = setup
    start = datetime(2027, 3, 2, 13, 0, 30, 500000, tzinfo=UTC)
    AppointmentFactory(
        provider=provider,
        location=location,
        start=start,
        end=start + timedelta(minutes=30),
    )
    query = Appointment.objects.values_list(Epoch("start"), Epoch("end", round="ceil"))
    assert list(query) == [(int(start.timestamp()), int(start.timestamp()) + 1801)]

    sqlite = DatabaseWrapper({**connection.settings_dict, "NAME": ":memory:"})
    sqlite.settings_dict.update(ENGINE="django.db.backends.sqlite3", OPTIONS={})
    try:
        with sqlite.cursor() as cursor:
            cursor.execute(
                'CREATE TABLE "scheduling_appointment" ("start" text, "end" text)'
            )
            cursor.execute(
                'INSERT INTO "scheduling_appointment" VALUES (%s, %s)',
                ["2027-03-02 13:00:00", "2027-03-02 13:30:00"],
            )
            sql, params = query.query.get_compiler(connection=sqlite).as_sql()
            cursor.execute(sql, params)
            row = cursor.fetchone()
    finally:
        sqlite.close()
    expected = int(datetime(2027, 3, 2, 13, tzinfo=UTC).timestamp())
    assert tuple(row) == (expected, expected + 1800)
