"""The day view's reads: a fixed number of queries, chips that say the same thing
whichever way they are built, and the no-show count served by its partial index."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clinic.clock import local_midnight
from scheduling import selectors
from scheduling.day_grid_html import ChipContext, chip_html
from scheduling.models import Appointment
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
    RoomFactory,
    local,
    next_weekday,
)

pytestmark = pytest.mark.django_db
S = Appointment.Status


@pytest.fixture
def busy_day():
    """Forty providers × twenty visits in every status, two earlier no-shows each
    for some patients, double bookings, rooms, and every eligibility state."""
    location = LocationFactory(code="main")
    types = [
        AppointmentTypeFactory(duration_minutes=30, colour=c, name=f"Type <{c}>")
        for c in ("blue", "green")
    ]
    rooms = [RoomFactory(location=location, name=f"Exam {i} & co") for i in range(40)]
    providers = [ProviderFactory() for _ in range(40)]
    patients = PatientFactory.create_batch(
        50, family_name="O'Brien <b>", given_name='Ann "Jo"'
    )
    day = next_weekday()
    now = timezone.now()
    statuses = [S.SCHEDULED, S.CONFIRMED, S.ARRIVED, S.IN_ROOM, S.COMPLETED]
    eligibility = [
        ("", None),
        ("verified", now - timedelta(hours=1)),
        ("failed", now - timedelta(hours=2)),
        ("verified", now - timedelta(days=3)),
    ]
    rows = []
    for p_index, provider in enumerate(providers):
        for slot in range(20):
            start = local(day, 8) + timedelta(minutes=30 * slot)
            status_of, checked = eligibility[slot % 4]
            rows.append(
                Appointment(
                    patient=patients[(p_index + slot) % 50],
                    provider=provider,
                    location=location,
                    room=rooms[p_index] if slot % 3 else None,
                    appointment_type=types[slot % 2],
                    start=start,
                    end=start + timedelta(minutes=30),
                    status=statuses[slot % 5],
                    is_double_booked=slot == 7,
                    override_reason="urgent <same day>" if slot == 7 else "",
                    eligibility_status=status_of,
                    eligibility_checked_at=checked,
                    arrived_at=now if statuses[slot % 5] == S.ARRIVED else None,
                )
            )
    Appointment.objects.bulk_create(rows)
    for index, patient in enumerate(patients[:10]):
        for weeks in (1, 2):
            AppointmentFactory(
                patient=patient,
                provider=providers[index],
                location=location,
                appointment_type=types[0],
                start=local(day - timedelta(weeks=weeks), 6),
                status=S.NO_SHOW,
            )
    return day


def test_the_schedule_of_800_visits_is_read_in_four_queries(
    busy_day, django_assert_max_num_queries
):
    selectors.optional_choices()  # the filter bars' choices sit in the cache
    # Visits, providers, and their working sessions (rules, exceptions) for the
    # shading of closed hours; by room: visits and rooms.
    with django_assert_max_num_queries(4):
        view = selectors.day_view(day=busy_day)
    assert view["count"] == 800
    assert len(view["columns"]) == 40
    with django_assert_max_num_queries(2):
        by_room = selectors.day_view(day=busy_day, by="room")
    assert len(by_room["columns"]) == 40


def test_the_day_page_runs_a_fixed_number_of_queries(
    busy_day, client, make_user, django_assert_max_num_queries
):
    client.force_login(make_user("Front desk"))
    url = reverse("scheduling:day") + f"?date={busy_day:%Y-%m-%d}"
    client.get(url)
    # The filter bars' choices sit in the cache (for a minute: a first render on a
    # busy machine can take longer, so they are put back just before counting).
    selectors.optional_choices()
    # The schedule (4), session, user, profile, permissions, role, alert badge, and
    # the access-log row with its lock and chain (transaction included).
    with django_assert_max_num_queries(16):
        response = client.get(url)
    html = response.content.decode()
    assert html.count('class="appt appt-') == 800
    assert "O&#x27;Brien &lt;b&gt;, Ann &quot;Jo&quot;" in html
    assert "2 no-shows" in html
    assert html.count('title="urgent &lt;same day&gt;"') == 40


def test_a_chip_reads_the_same_from_a_grid_row_and_from_the_appointment(busy_day):
    """The grid builds chips from plain rows; a quick action re-renders one chip
    from the model. Both must show the same thing."""
    now = timezone.now()
    rows = selectors.day_view(day=busy_day, now=now)["appointments"]
    ctx = ChipContext(can_change=True, next_url="/schedule/?date=x&by=room")
    models = Appointment.objects.select_related(
        "patient", "appointment_type", "room"
    ).in_bulk([row.pk for row in rows])
    seen_states, seen_statuses = set(), set()
    for row in rows:
        appointment = models[row.pk]
        appointment.no_show_count = row.no_show_count
        appointment.eligibility_state = selectors.eligibility_state(appointment, now)
        other = ChipContext(can_change=True, next_url="/schedule/?date=x&by=room")
        assert chip_html(row, ctx=ctx) == chip_html(appointment, ctx=other), row.pk
        seen_states.add(row.eligibility_state)
        seen_statuses.add(row.status)
    assert seen_states == {"unchecked", "verified", "failed", "stale"}
    assert seen_statuses == {
        "scheduled",
        "confirmed",
        "arrived",
        "in_room",
        "completed",
    }
    read_only = ChipContext(can_change=False, next_url="/")
    assert "hx-post" not in chip_html(rows[0], ctx=read_only)


def test_a_chip_shows_its_actions_for_its_status_only(busy_day):
    rows = selectors.day_view(day=busy_day)["appointments"]
    # On the afternoon of the visits' day every one of them is within its time.
    ctx = ChipContext(can_change=True, next_url="/schedule/", now=local(busy_day, 16))
    by_status = {row.status: chip_html(row, ctx=ctx) for row in rows}
    scheduled = by_status[S.SCHEDULED]
    assert "Check in O&#x27;Brien &lt;b&gt;" in scheduled and "Move" in scheduled
    assert '"action": "in_room"' in by_status[S.ARRIVED]
    assert '"action": "completed"' in by_status[S.IN_ROOM]
    assert "actions" not in by_status[S.COMPLETED]
    row = next(r for r in rows if r.status == S.SCHEDULED)
    assert f'hx-target="#appt-{row.pk}"' in chip_html(row, ctx=ctx)
    assert f"/{row.pk}/" in chip_html(row, ctx=ctx)


def test_no_show_counts_are_served_by_their_partial_index(busy_day):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    day = busy_day
    rows = selectors.appointments_between(
        start=local_midnight(day),
        end=local_midnight(day + timedelta(days=1)),
    ).values_list("pk", "no_show_count")
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scheduling_appointment")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]["Plan"]

    def nodes(node):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    names = {node.get("Index Name") for node in nodes(plan)}
    assert "scheduling_appt_noshow_pat" in names, json.dumps(plan)[:2000]
    assert sorted({n for _pk, n in rows}) == [0, 2]


def test_closed_hours_are_shaded_and_a_visit_shows_its_duration(client, make_user):
    from datetime import time as clock_time

    from scheduling.models import AvailabilityRule
    from scheduling.selectors.day_grid import CLOSED
    from tests.scheduling.factories import (
        AppointmentFactory,
        AppointmentTypeFactory,
        LocationFactory,
        ProviderFactory,
        local,
        next_weekday,
    )

    monday = next_weekday(0)
    provider, location = ProviderFactory(), LocationFactory()
    AvailabilityRule.objects.create(
        provider=provider,
        location=location,
        weekday=monday.weekday(),
        start_time=clock_time(9),
        end_time=clock_time(12),
    )
    infusion = AppointmentTypeFactory(name="Infusion", duration_minutes=120)
    AppointmentFactory(
        provider=provider,
        location=location,
        appointment_type=infusion,
        start=local(monday, 9),
        end=local(monday, 11),
    )
    view = selectors.day_view(day=monday, provider_id=provider.pk)
    by_label = {row.label: row.cells for row in view["rows"]}
    assert by_label["08:00"] == [CLOSED] and by_label["13:00"] == [CLOSED]
    assert by_label["09:00"][0].rowspan == 8  # two hours of 15-minute rows
    assert by_label["11:00"] == [None]  # open, free

    week = selectors.week_view(first_day=monday, provider=provider)
    assert week["columns"][0].endswith(monday.strftime("%d %b"))
    assert week["columns"][1].endswith("· closed")  # no session on Tuesday

    client.force_login(make_user("Front desk"))
    page = client.get(
        reverse("scheduling:day"),
        {"date": monday.isoformat(), "provider": provider.pk},
    ).content.decode()
    assert "09:00–11:00" in page and 'class="empty closed"' in page
