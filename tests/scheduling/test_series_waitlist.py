from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling import services
from scheduling.exceptions import SchedulingError
from scheduling.models import Appointment, AppointmentSeries, WaitlistEntry
from scheduling.selectors import waitlist_candidates
from scheduling.services import (
    series_book,
    series_cancel_following,
    series_reschedule_following,
    waitlist_add,
)
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import AppointmentFactory, local, next_weekday

pytestmark = pytest.mark.django_db
S = Appointment.Status


def weekly(clinic, clerk, count=4, hour=9):
    return series_book(
        patient=clinic["patient"],
        appointment_type=clinic["type"],
        provider=clinic["provider"],
        location=clinic["location"],
        first_start=local(next_weekday(), hour),
        count=count,
        actor=clerk,
    )


def local_starts(series):
    return [
        timezone.localtime(a.start).strftime("%Y-%m-%d %H:%M")
        for a in series.appointments.order_by("series_index")
    ]


def test_a_weekly_series_books_every_occurrence_at_the_same_local_time(
    clinic, make_user
):
    series = weekly(clinic, make_user("Front desk"))
    first = next_weekday()
    assert local_starts(series) == [
        f"{first + timedelta(weeks=i):%Y-%m-%d} 09:00" for i in range(4)
    ]
    assert list(series.appointments.values_list("series_index", flat=True)) == [
        1,
        2,
        3,
        4,
    ]


def test_one_taken_week_refuses_the_whole_series(clinic, make_user):
    clerk = make_user("Front desk")
    AppointmentFactory(
        provider=clinic["provider"],
        location=clinic["location"],
        start=local(next_weekday() + timedelta(weeks=2), 9),
    )
    with pytest.raises(SchedulingError) as caught:
        weekly(clinic, clerk)
    assert "cannot move: that time is taken" in caught.value.message
    assert AppointmentSeries.objects.count() == 0
    assert Appointment.objects.count() == 1


def test_this_and_following_moves_later_occurrences_only(clinic, make_user):
    clerk = make_user("Front desk")
    series = weekly(clinic, clerk)
    second = series.appointments.get(series_index=2)
    # Occurrence 3 alone was moved earlier; it follows the new time too.
    services.appointment_reschedule(
        appointment=series.appointments.get(series_index=3),
        start=local(next_weekday() + timedelta(weeks=2), 8),
        actor=clerk,
    )
    moved = series_reschedule_following(
        appointment=second,
        start=local(next_weekday() + timedelta(weeks=1), 11),
        actor=clerk,
    )
    assert [a.series_index for a in moved] == [2, 3, 4]
    first = next_weekday()
    assert local_starts(series) == [
        f"{first:%Y-%m-%d} 09:00",
        f"{first + timedelta(weeks=1):%Y-%m-%d} 11:00",
        f"{first + timedelta(weeks=2):%Y-%m-%d} 11:00",
        f"{first + timedelta(weeks=3):%Y-%m-%d} 11:00",
    ]


def test_one_occurrence_and_this_and_following_cancellations(clinic, make_user):
    clerk = make_user("Front desk")
    series = weekly(clinic, clerk, count=5)
    services.appointment_cancel(
        appointment=series.appointments.get(series_index=2),
        reason="Holiday",
        actor=clerk,
    )
    series_cancel_following(
        appointment=series.appointments.get(series_index=4),
        reason="Treatment ends early",
        actor=clerk,
    )
    statuses = list(
        series.appointments.order_by("series_index").values_list(
            "status", "cancel_reason"
        )
    )
    assert statuses == [
        (S.SCHEDULED, ""),
        (S.CANCELLED, "Holiday"),
        (S.SCHEDULED, ""),
        (S.CANCELLED, "Treatment ends early"),
        (S.CANCELLED, "Treatment ends early"),
    ]


def test_waitlist_candidates_for_a_cancelled_slot_best_first(clinic, make_user):
    clerk = make_user("Front desk")
    appointment = services.appointment_book(
        patient=clinic["patient"],
        appointment_type=clinic["type"],
        provider=clinic["provider"],
        location=clinic["location"],
        start=local(next_weekday(weekday=1), 9),  # a Tuesday morning
        actor=clerk,
    )
    until = next_weekday() + timedelta(days=30)

    def wait(name, **fields):
        return waitlist_add(
            actor=clerk,
            patient=PatientFactory(given_name=name),
            appointment_type=clinic["type"],
            until=fields.pop("until", until),
            **fields,
        )

    any_provider = wait("Any")
    wants_this = wait("Wants", provider=clinic["provider"])
    wait("Other", provider=clinic["other_provider"])
    wait("Afternoons", part_of_day="afternoon")
    wait("Fridays", weekdays="4")
    wait("Expired", until=next_weekday() - timedelta(days=1))
    tuesdays = wait("Tuesdays", weekdays="13", part_of_day="morning")
    removed = wait("Removed")
    removed.status = WaitlistEntry.Status.REMOVED
    removed.save()
    services.appointment_cancel(appointment=appointment, reason="Sick", actor=clerk)
    candidates = waitlist_candidates(appointment=appointment)
    assert candidates == [wants_this, any_provider, tuesdays]


def _entry(clinic, patient):
    return waitlist_add(
        actor=None,
        patient=patient,
        appointment_type=clinic["type"],
        until=next_weekday() + timedelta(days=30),
    )


def _book(clinic, patient, hour, **extra):
    return services.appointment_book(
        patient=patient,
        appointment_type=clinic["type"],
        provider=clinic["provider"],
        location=clinic["location"],
        start=local(next_weekday(), hour),
        actor=None,
        **extra,
    )


def test_a_booking_from_the_waitlist_marks_the_entry_booked_in_the_same_write(
    clinic,
):
    """Moved out of BookView (#17): any caller of appointment_book gets it."""
    patient = clinic["patient"]
    entry = _entry(clinic, patient)
    appointment = _book(clinic, patient, 9, waitlist_entry=entry)
    entry.refresh_from_db()
    assert (entry.status, entry.offered_appointment) == (
        WaitlistEntry.Status.BOOKED,
        appointment,
    )


def test_a_refused_booking_leaves_the_waitlist_entry_waiting(clinic):
    patient = clinic["patient"]
    entry = _entry(clinic, patient)
    AppointmentFactory(
        provider=clinic["provider"],
        location=clinic["location"],
        appointment_type=clinic["type"],
        start=local(next_weekday(), 9),
    )
    with pytest.raises(SchedulingError):
        _book(clinic, patient, 9, waitlist_entry=entry)
    entry.refresh_from_db()
    assert (entry.status, entry.offered_appointment) == (
        WaitlistEntry.Status.WAITING,
        None,
    )


def test_another_patients_waitlist_entry_is_left_as_it_is(clinic):
    entry = _entry(clinic, PatientFactory())
    _book(clinic, clinic["patient"], 9, waitlist_entry=entry)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING


def test_a_series_from_the_waitlist_marks_the_entry_with_its_first_visit(
    clinic, make_user
):
    patient = clinic["patient"]
    entry = _entry(clinic, patient)
    series = series_book(
        patient=patient,
        appointment_type=clinic["type"],
        provider=clinic["provider"],
        location=clinic["location"],
        first_start=local(next_weekday(), 10),
        count=2,
        actor=make_user("Front desk"),
        waitlist_entry=entry,
    )
    entry.refresh_from_db()
    assert entry.offered_appointment == series.appointments.get(series_index=1)
    assert entry.status == WaitlistEntry.Status.BOOKED
