"""Practice exercises per role, checked from the events the app publishes
(``automations.models.Event``): an exercise is done by the first event of its kind
that the trainee caused after starting, about the named patient (when it names
one), that passes its check — and not by a near miss (another patient, type or
day, a dose that was not overdue, an automation switched on without a dry run)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from automations.models import Event
from clinic.permissions import ADMINISTRATOR, BILLING, CLINICIAN, FRONT_DESK, NURSE
from scheduling.models import Appointment

# The patients the exercises name; the practice reset gives these names to seeded
# records that fit (training/practice.py).
MARIA_LOPEZ = ("Maria", "Lopez")
JAMES_CARTER = ("James", "Carter")  # has an overdue dose on the unit
ROBERT_CHEN = ("Robert", "Chen")  # has a critical result to acknowledge


@dataclass(frozen=True)
class Exercise:
    slug: str
    role: str
    text: str
    kind: str  # the event kind that can complete it
    patient: tuple[str, str] | None  # (given name, family name), or any patient
    check: Callable[[Event, date], bool]  # (event, day the trainee started)


def next_weekday(day: date, weekday: int) -> date:
    """The first such weekday after ``day`` (Monday is 0)."""
    return day + timedelta(days=(weekday - day.weekday() - 1) % 7 + 1)


def _any(event: Event, started: date) -> bool:
    return True


def _follow_up_next_tuesday(event: Event, started: date) -> bool:
    visit = Appointment.objects.filter(pk=event.subject_id or None).first()
    return (
        visit is not None
        and "follow" in visit.appointment_type.name.lower()
        and timezone.localdate(visit.start) == next_weekday(started, 1)
    )


def _earlier(event: Event, kind: str, **same) -> bool:
    """Whether an event of ``kind`` about the same record came before ``event``."""
    return Event.objects.filter(
        kind=kind,
        subject_type=event.subject_type_id,
        subject_id=event.subject_id,
        occurred_at__lte=event.occurred_at,
        **same,
    ).exists()


def _was_overdue(event: Event, started: date) -> bool:
    """The dose given had been reported overdue ("dose.overdue") before."""
    return _earlier(event, "dose.overdue")


def _paid_something(event: Event, started: date) -> bool:
    return event.facts.get("claims_paid", 0) > 0


def _starter_after_dry_run(event: Event, started: date) -> bool:
    """Copied from a starter, and the same person looked at its dry run first."""
    return bool(event.facts.get("starter")) and _earlier(
        event, "automation.dry_run", actor=event.actor_id
    )


EXERCISES = {
    e.slug: e
    for e in (
        Exercise(
            "book-follow-up",
            FRONT_DESK,
            "Book Maria Lopez for a follow-up next Tuesday.",
            "appointment.booked",
            MARIA_LOPEZ,
            _follow_up_next_tuesday,
        ),
        Exercise(
            "check-in",
            FRONT_DESK,
            "Check in Maria Lopez for her visit today.",
            "appointment.checked_in",
            MARIA_LOPEZ,
            _any,
        ),
        Exercise(
            "give-overdue-dose",
            NURSE,
            "Give James Carter's overdue dose on the Infusion Unit MAR.",
            "dose.given",
            JAMES_CARTER,
            _was_overdue,
        ),
        Exercise(
            "acknowledge-critical",
            CLINICIAN,
            "Acknowledge Robert Chen's critical result, saying what was done.",
            "result.acknowledged",
            ROBERT_CHEN,
            _any,
        ),
        Exercise(
            "build-claim",
            BILLING,
            "Create the claim of a completed visit from its charges.",
            "claim.created",
            None,
            _any,
        ),
        Exercise(
            "post-payment",
            BILLING,
            "Post an 835 remittance that pays at least one claim.",
            "remittance.posted",
            None,
            _paid_something,
        ),
        Exercise(
            "automation-from-starter",
            ADMINISTRATOR,
            "Copy an automation from a starter, look at its dry run, switch it on.",
            "automation.switched_on",
            None,
            _starter_after_dry_run,
        ),
    )
}


def completion(*, exercise: Exercise, user, since: datetime) -> Event | None:
    """The event that completed ``exercise`` for ``user`` since ``since``, if any."""
    events = Event.objects.filter(
        kind=exercise.kind, actor=user, occurred_at__gte=since
    ).order_by("occurred_at")
    if exercise.patient is not None:
        given, family = exercise.patient
        events = events.filter(
            patient__given_name__iexact=given, patient__family_name__iexact=family
        )
    started = timezone.localdate(since)
    return next((e for e in events if exercise.check(e, started)), None)
