"""Twenty clerks press "Book" for the same slot at the same instant."""

import threading

import pytest
from django.db import connection

from scheduling import services
from scheduling.exceptions import SLOT_TAKEN, SlotTaken
from scheduling.models import Appointment
from tests.clinic.factories import UserFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
    local,
    next_weekday,
    weekly_hours,
)

ATTEMPTS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_of_one_slot_give_one_appointment():
    assert connection.vendor == "postgresql"
    location = LocationFactory(code="main")
    provider = ProviderFactory()
    weekly_hours(provider, location)
    visit = AppointmentTypeFactory(duration_minutes=30)
    clerk = UserFactory(role="Front desk")
    patients = [PatientFactory() for _ in range(ATTEMPTS)]
    start = local(next_weekday(), 10)
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[object] = []
    lock = threading.Lock()

    def attempt(patient):
        try:
            barrier.wait(timeout=30)
            services.appointment_book(
                patient=patient,
                appointment_type=visit,
                provider=provider,
                location=location,
                start=start,
                actor=clerk,
            )
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
