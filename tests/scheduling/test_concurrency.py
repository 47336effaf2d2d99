"""Twenty clerks press "Book" for the same slot at the same instant."""

import threading
import time
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from scheduling import services
from scheduling.exceptions import SLOT_TAKEN, SlotTaken
from scheduling.models import Appointment
from tests.clinic.factories import UserFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
    local,
    next_weekday,
    weekly_hours,
)

ATTEMPTS = 20


def _ten_oclock():
    """A provider who works every day, a 30-minute visit type and a clerk: the
    provider's location, 10:00 on a Tuesday over a week ahead, and
    ``book(patient)``, the clerk booking the patient then."""
    location = LocationFactory(code="main")
    provider = ProviderFactory()
    weekly_hours(provider, location)
    visit = AppointmentTypeFactory(duration_minutes=30)
    clerk = UserFactory(role="Front desk")
    start = local(next_weekday(), 10)

    def book(patient):
        return services.appointment_book(
            patient=patient,
            appointment_type=visit,
            provider=provider,
            location=location,
            start=start,
            actor=clerk,
        )

    return provider, location, start, book


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_of_one_slot_give_one_appointment():
    assert connection.vendor == "postgresql"
    _provider, _location, start, book = _ten_oclock()
    patients = [PatientFactory() for _ in range(ATTEMPTS)]
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[object] = []
    lock = threading.Lock()

    def attempt(patient):
        try:
            barrier.wait(timeout=30)
            book(patient)
            result = "booked"
        except SlotTaken as error:
            result = error
        except Exception as error:  # noqa: BLE001 - anything else fails the test
            result = repr(error)
        finally:
            connection.close()  # each thread had its own connection
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(p,)) for p in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    booked = [o for o in outcomes if o == "booked"]
    refused = [o for o in outcomes if isinstance(o, SlotTaken)]
    assert len(outcomes) == ATTEMPTS
    assert len(booked) == 1, outcomes
    assert len(refused) == ATTEMPTS - 1, outcomes
    assert {r.message for r in refused} == {str(SLOT_TAKEN)}
    assert all(r.alternatives and r.alternatives[0].start >= start for r in refused)
    assert Appointment.objects.filter(start=start).count() == 1


def _waiting_for_a_lock(conn) -> bool:
    return bool(
        conn.execute(
            "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    )


@pytest.mark.django_db(transaction=True)
def test_a_booking_ended_as_a_deadlock_is_told_the_time_was_taken(owner_connection):
    """Two writes of one time at one instant can each wait for the other's new row
    in the exclusion constraint's check, and PostgreSQL ends one as a deadlock
    (seen once as a 500 from the FHIR API). Made here on purpose: another
    transaction moves one of the provider's visits to 10:00-10:15; the booking of
    10:00-10:30 waits for it; then that transaction moves a second visit to
    10:15-10:30 and waits for the booking. The booking is the one ended (the
    other's deadlock_timeout is long); written again, it hears the time was taken."""
    provider, location, start, book = _ten_oclock()
    patient = PatientFactory()
    day = timezone.localdate(start)
    # Two of the provider's visits later that day, which the other transaction moves.
    first, second = (
        AppointmentFactory(provider=provider, location=location, start=local(day, h))
        for h in (15, 16)
    )
    outcome: list[object] = []

    def book_and_note():
        try:
            book(patient)
            outcome.append("booked")
        except Exception as error:  # noqa: BLE001 - the assertion names it
            outcome.append(error)
        finally:
            connection.close()

    other = psycopg.connect(
        **owner_connection.info.get_parameters(),
        password=owner_connection.info.password or None,
    )
    quarter = timedelta(minutes=15)
    move = 'UPDATE scheduling_appointment SET start = %s, "end" = %s WHERE id = %s'
    booking = threading.Thread(target=book_and_note)
    try:
        other.execute("SET LOCAL deadlock_timeout = '60s'")
        other.execute(move, [start, start + quarter, first.pk])
        booking.start()
        deadline = time.monotonic() + 30
        while not _waiting_for_a_lock(owner_connection):
            assert time.monotonic() < deadline, "the booking never waited"
            time.sleep(0.01)
        other.execute(move, [start + quarter, start + 2 * quarter, second.pk])
        other.commit()
    finally:
        other.close()
        booking.join(timeout=60)

    assert len(outcome) == 1 and isinstance(outcome[0], SlotTaken), outcome
    assert outcome[0].message == str(SLOT_TAKEN)
    assert sorted(
        Appointment.objects.filter(
            start__gte=start, end__lte=start + 2 * quarter
        ).values_list("pk", flat=True)
    ) == sorted([first.pk, second.pk])
