"""Schedule generation for every frequency kind, across DST, idempotent."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from medications import services
from medications.models import MedicationOrder, ScheduledDose
from tests.medications.factories import MedicationOrderFactory

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
F = MedicationOrder.Frequency


def local(*args) -> datetime:
    return datetime(*args, tzinfo=NY)


def due_local(order) -> list[str]:
    return [
        f"{dose.due_at.astimezone(NY):%m-%d %H:%M %Z}"
        for dose in order.doses.order_by("due_at")
    ]


def test_once_makes_one_dose_at_the_start():
    start = local(2026, 6, 1, 10, 0)
    order = MedicationOrderFactory(
        frequency=F.ONCE, interval_hours=None, start_at=start
    )
    assert services.schedule_generate(order=order, now=start, hours=48) == 1
    assert due_local(order) == ["06-01 10:00 EDT"]


def test_every_n_hours_counts_elapsed_time_across_the_fall_back():
    # 22:00 EDT on Oct 31; the clocks go back at 02:00 on Nov 1.
    start = local(2026, 10, 31, 22, 0)
    order = MedicationOrderFactory(interval_hours=8, start_at=start)
    services.schedule_generate(order=order, now=start, hours=24)
    assert due_local(order) == [
        "10-31 22:00 EDT",
        "11-01 05:00 EST",
        "11-01 13:00 EST",
    ]
    moments = [dose.due_at for dose in order.doses.order_by("due_at")]
    assert {b - a for a, b in zip(moments, moments[1:], strict=False)} == {
        timedelta(hours=8)
    }


def test_fixed_times_keep_the_wall_clock_across_the_spring_forward():
    start = local(2026, 3, 7, 0, 0)
    order = MedicationOrderFactory(
        frequency=F.TIMES, interval_hours=None, times_of_day=["09:00"], start_at=start
    )
    services.schedule_generate(order=order, now=start, hours=72)
    assert due_local(order) == ["03-07 09:00 EST", "03-08 09:00 EDT", "03-09 09:00 EDT"]


def test_a_fixed_time_that_does_not_exist_moves_on_and_one_that_repeats_is_once():
    spring = MedicationOrderFactory(
        frequency=F.TIMES,
        interval_hours=None,
        times_of_day=["02:30"],
        start_at=local(2026, 3, 8, 0, 0),
        end_at=local(2026, 3, 8, 23, 0),
    )
    services.schedule_generate(order=spring, now=spring.start_at, hours=30)
    assert due_local(spring) == ["03-08 03:30 EDT"]

    autumn = MedicationOrderFactory(
        frequency=F.TIMES,
        interval_hours=None,
        times_of_day=["01:30"],
        start_at=local(2026, 11, 1, 0, 0),
        end_at=local(2026, 11, 1, 23, 0),
    )
    services.schedule_generate(order=autumn, now=autumn.start_at, hours=30)
    assert due_local(autumn) == ["11-01 01:30 EDT"]


def test_an_order_that_ends_mid_day_stops_there():
    order = MedicationOrderFactory(
        frequency=F.TIMES,
        interval_hours=None,
        times_of_day=["08:00", "12:00", "18:00"],
        start_at=local(2026, 6, 1, 7, 0),
        end_at=local(2026, 6, 2, 14, 0),
    )
    services.schedule_generate(order=order, now=order.start_at, hours=72)
    assert due_local(order) == [
        "06-01 08:00 EDT",
        "06-01 12:00 EDT",
        "06-01 18:00 EDT",
        "06-02 08:00 EDT",
        "06-02 12:00 EDT",
    ]


def test_prn_orders_have_no_schedule():
    order = MedicationOrderFactory(
        frequency=F.PRN,
        interval_hours=None,
        prn_min_interval_hours=Decimal("4"),
        prn_max_per_24h=4,
    )
    assert services.schedule_generate(order=order, now=order.start_at) == 0
    assert order.doses.count() == 0


def test_generation_is_idempotent_and_the_database_refuses_a_twin():
    start = local(2026, 6, 1, 8, 0)
    order = MedicationOrderFactory(interval_hours=6, start_at=start)
    assert services.schedule_generate(order=order, now=start, hours=24) == 4
    assert services.schedule_generate(order=order, now=start, hours=24) == 0
    assert services.schedules_generate_all(now=start) == 2  # 36 h horizon: 2 more
    assert order.doses.count() == 6
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledDose.objects.create(order=order, due_at=start)


def test_hold_cancels_open_doses_and_resume_brings_the_future_ones_back(make_user):
    clinician = make_user("Clinician")
    start = local(2026, 6, 1, 8, 0)
    order = MedicationOrderFactory(interval_hours=6, start_at=start)
    services.schedule_generate(order=order, now=start, hours=24)

    services.order_hold(order=order, actor=clinician, reason="NPO for surgery")
    statuses = set(order.doses.values_list("status", flat=True))
    assert statuses == {"cancelled"}
    assert order.doses.first().reason == "order held: NPO for surgery"

    later = start + timedelta(hours=7)  # 15:00: the 08:00 and 14:00 doses are past
    services.order_resume(
        order=order, actor=clinician, reason="surgery done", now=later
    )
    assert [
        (f"{d.due_at.astimezone(NY):%d %H:%M}", d.status)
        for d in order.doses.order_by("due_at")
    ][:4] == [
        ("01 08:00", "cancelled"),
        ("01 14:00", "cancelled"),
        ("01 20:00", "scheduled"),
        ("02 02:00", "scheduled"),
    ]
    order.refresh_from_db()
    assert order.history.first().history_change_reason == "resumed: surgery done"


def test_discontinue_cancels_and_is_final(make_user):
    from medications.exceptions import OrderNotChangeable

    clinician = make_user("Clinician")
    start = local(2026, 6, 1, 8, 0)
    order = MedicationOrderFactory(interval_hours=12, start_at=start)
    services.schedule_generate(order=order, now=start, hours=24)
    services.order_discontinue(order=order, actor=clinician, reason="course finished")
    assert set(order.doses.values_list("status", flat=True)) == {"cancelled"}
    with pytest.raises(OrderNotChangeable):
        services.order_resume(order=order, actor=clinician, reason="oops")
    order.refresh_from_db()
    assert order.status == "discontinued"
    assert services.schedule_generate(order=order, now=start) == 0


def test_a_changed_order_regenerates_what_has_not_been_given(make_user):
    clinician = make_user("Clinician")
    start = local(2026, 6, 1, 8, 0)
    order = MedicationOrderFactory(interval_hours=6, start_at=start)
    services.schedule_generate(order=order, now=start, hours=24)
    first = order.doses.order_by("due_at").first()
    first.status = ScheduledDose.Status.GIVEN
    first.save()

    now = start + timedelta(hours=1)
    services.order_change(
        order=order,
        actor=clinician,
        reason="twice daily is enough",
        now=now,
        interval_hours=12,
    )
    active = [
        f"{d.due_at.astimezone(NY):%d %H:%M} {d.status}"
        for d in order.doses.order_by("due_at")
        if d.status != "cancelled"
    ]
    assert active[:3] == ["01 08:00 given", "01 20:00 scheduled", "02 08:00 scheduled"]
    cancelled = order.doses.filter(status="cancelled", due_at__gte=now)
    assert sorted(f"{d.due_at.astimezone(NY):%d %H:%M}" for d in cancelled) == [
        "01 14:00",
        "02 02:00",
    ]


def test_ended_orders_and_done_once_orders_complete():
    now = local(2026, 6, 2, 12, 0)
    ended = MedicationOrderFactory(
        interval_hours=6, start_at=local(2026, 6, 1, 8, 0), end_at=local(2026, 6, 1, 20)
    )
    once = MedicationOrderFactory(
        frequency=F.ONCE, interval_hours=None, start_at=local(2026, 6, 2, 9, 0)
    )
    services.schedule_generate(order=once, now=once.start_at)
    pending = MedicationOrderFactory(
        frequency=F.ONCE, interval_hours=None, start_at=local(2026, 6, 2, 11, 0)
    )
    services.schedule_generate(order=pending, now=pending.start_at)
    dose = once.doses.get()
    dose.status = ScheduledDose.Status.GIVEN
    dose.save()

    assert services.orders_complete_ended(now=now) == 2
    statuses = {
        o.pk: o.status
        for o in MedicationOrder.objects.filter(pk__in=[ended.pk, once.pk, pending.pk])
    }
    assert statuses == {
        ended.pk: "completed",
        once.pk: "completed",
        pending.pk: "active",
    }
