"""Practice exercises per role, checked from the events the app already publishes
(``automations.models.Event``): an exercise is done by the first event of its kind
that the trainee caused after starting, about the named patient, that passes its
check — and not by a near miss (another patient, type or day)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from automations.models import Event
from clinic.permissions import FRONT_DESK
from scheduling.models import Appointment


@dataclass(frozen=True)
class Exercise:
    slug: str
    role: str
    text: str
    kind: str  # the event kind that can complete it
    patient: tuple[str, str]  # (given name, family name)
    check: Callable[[Event, date], bool]  # (event, day the trainee started)


def next_weekday(day: date, weekday: int) -> date:
    """The first such weekday after ``day`` (Monday is 0)."""
    return day + timedelta(days=(weekday - day.weekday() - 1) % 7 + 1)


def _follow_up_next_tuesday(event: Event, started: date) -> bool:
    visit = Appointment.objects.filter(pk=event.subject_id or None).first()
    return (
        visit is not None
        and "follow" in visit.appointment_type.name.lower()
        and timezone.localdate(visit.start) == next_weekday(started, 1)
    )


EXERCISES = {
    e.slug: e
    for e in (
        Exercise(
            "book-follow-up",
            FRONT_DESK,
            "Book Maria Lopez for a follow-up next Tuesday.",
            "appointment.booked",
            ("Maria", "Lopez"),
            _follow_up_next_tuesday,
        ),
        Exercise(
            "check-in",
            FRONT_DESK,
            "Check in Maria Lopez for her visit today.",
            "appointment.checked_in",
            ("Maria", "Lopez"),
            lambda event, started: True,
        ),
    )
}


def completion(*, exercise: Exercise, user, since: datetime) -> Event | None:
    """The event that completed ``exercise`` for ``user`` since ``since``, if any."""
    given, family = exercise.patient
    events = Event.objects.filter(
        kind=exercise.kind,
        actor=user,
        occurred_at__gte=since,
        patient__given_name__iexact=given,
        patient__family_name__iexact=family,
    ).order_by("occurred_at")
    started = timezone.localdate(since)
    return next((e for e in events if exercise.check(e, started)), None)
