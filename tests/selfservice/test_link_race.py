"""The patient moves their visit by link to a free time while the front desk
books another patient into the same time: one of them gets it, never both."""

import threading

import pytest
from django.db import connection

from clinic.exceptions import ApplicationError
from scheduling import services
from scheduling.models import Appointment
from selfservice.selectors import link_slots
from selfservice.services import link_reschedule
from tests.registration.factories import PatientFactory
from tests.selfservice.support import small_clinic

ROUNDS = 3


def _race(clinic, visit) -> tuple[object, dict]:
    """Both press at once (each thread its own connection); the time and what
    each got."""
    target = link_slots(appointment=visit)[0].start
    caller = PatientFactory()
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def attempt(who, act):
        try:
            barrier.wait(timeout=30)
            act()
            outcomes[who] = "done"
        except ApplicationError as error:  # SlotTaken, or the time gone first
            outcomes[who] = error
        finally:
            connection.close()

    def book():
        services.appointment_book(
            patient=caller,
            appointment_type=clinic.visit_type,
            provider=clinic.provider,
            location=clinic.location,
            start=target,
            actor=clinic.clerk,
        )

    threads = [
        threading.Thread(
            target=attempt,
            args=("link", lambda: link_reschedule(appointment=visit, start=target)),
        ),
        threading.Thread(target=attempt, args=("desk", book)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return target, outcomes


@pytest.mark.django_db(transaction=True)
def test_a_link_and_the_front_desk_cannot_both_take_one_time():
    assert connection.vendor == "postgresql"
    clinic = small_clinic()
    visit = clinic.book()
    for _round in range(ROUNDS):
        target, outcomes = _race(clinic, visit)
        done = [who for who, result in outcomes.items() if result == "done"]
        refused = [r for r in outcomes.values() if isinstance(r, ApplicationError)]
        assert len(done) == 1 and len(refused) == 1, outcomes
        at_target = Appointment.objects.filter(
            start=target, status__in=Appointment.ACTIVE_STATUSES
        )
        assert at_target.count() == 1
        visit.refresh_from_db()
