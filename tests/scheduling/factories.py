from datetime import date, datetime, time, timedelta

import factory
from django.utils import timezone

from scheduling.models import (
    Appointment,
    AppointmentType,
    AvailabilityRule,
    Location,
    Provider,
    Room,
)
from scheduling.validators import npi_with_check_digit
from tests.registration.factories import PatientFactory


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"loc{n}")
    name = factory.Sequence(lambda n: f"Location {n}")
    kind = Location.Kind.CLINIC


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Dr Provider {n}")
    credentials = "MD"
    npi = factory.Sequence(lambda n: npi_with_check_digit(f"1{n:08d}"))
    specialty = "Family medicine"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    kind = Room.Kind.EXAM


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType

    name = factory.Sequence(lambda n: f"Visit type {n}")
    duration_minutes = 30
    room_kind = ""


def weekly_hours(provider, location, start=time(8), end=time(17), weekdays=range(7)):
    """The provider works every given weekday between start and end."""
    return [
        AvailabilityRule.objects.create(
            provider=provider,
            location=location,
            weekday=day,
            start_time=start,
            end_time=end,
        )
        for day in weekdays
    ]


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(
        day, time(hour, minute), tzinfo=timezone.get_default_timezone()
    )


def next_weekday(weekday: int = 1, weeks_ahead: int = 1) -> date:
    today = timezone.localdate()
    days = (weekday - today.weekday()) % 7 + 7 * weeks_ahead
    return today + timedelta(days=days)


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A row written directly (no service): for reads, pages and query counts."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    provider = factory.SubFactory(ProviderFactory)
    location = factory.SubFactory(LocationFactory)
    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    start = factory.LazyFunction(lambda: local(next_weekday(), 9))
    end = factory.LazyAttribute(
        lambda o: o.start + timedelta(minutes=o.appointment_type.duration_minutes)
    )


def reach_visit(appointment, *, minutes_ago: int = 5):
    """The clock reaches a booked visit: it started ``minutes_ago`` minutes ago.

    Tests cannot freeze the clock (jobs and workers read the real one), so the row
    moves to now instead, as if its day had come since it was booked; a check-in,
    rooming or completion is then on time (a no-show needs ``minutes_ago`` past the
    grace period, ``NO_SHOW_GRACE_MINUTES``).
    """
    start = timezone.now() - timedelta(minutes=minutes_ago)
    length = appointment.end - appointment.start
    Appointment.objects.filter(pk=appointment.pk).update(
        start=start, end=start + length
    )
    appointment.refresh_from_db()
    return appointment
