"""Booking and moving a visit: the rules of every placement of a visit in time.

Overlaps of a provider's or a room's time are refused by PostgreSQL exclusion
constraints; the checks here only give the clerk a clear message earlier, and a
violation that slips past them (two clerks at the same instant) becomes
``SlotTaken`` with the next free slots.
"""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from automations.events import publish
from automations.reminders.sync import reminders_sync
from scheduling import slots
from scheduling.exceptions import (
    DOUBLE_BOOK_FORBIDDEN,
    IN_THE_PAST,
    NO_ROOM_FREE,
    NOT_ACTIVE,
    OUTSIDE_HOURS,
    PATIENT_BUSY,
    PROVIDER_NOT_ALLOWED,
    REASON_REQUIRED,
    SLOT_TAKEN,
    NotAllowed,
    OutsideAvailability,
    PatientBusy,
    SchedulingError,
    SlotTaken,
)
from scheduling.models import (
    Appointment,
    AppointmentType,
    Location,
    Provider,
    Room,
    WaitlistEntry,
)
from scheduling.services.waitlist import waitlist_mark

OVERLAP_CONSTRAINTS = {"scheduling_no_provider_overlap", "scheduling_no_room_overlap"}
DOUBLE_BOOK_PERMISSION = "scheduling.double_book_appointment"
DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE
ALTERNATIVES = 5


def is_overlap(error: IntegrityError) -> bool:
    """Whether the database refused a write because a provider's or a room's time
    was taken (one of the exclusion constraints)."""
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "")
    return constraint in OVERLAP_CONSTRAINTS


def is_deadlock(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == DEADLOCK_DETECTED


def overlap_on_save(appointment: Appointment) -> IntegrityError | None:
    """Save the visit; the database's refusal when its time overlaps another's
    (``is_overlap``), else None. Any other refusal is raised.

    Two writes of one time at one instant can each wait for the other's new row in
    the exclusion constraints' checks; PostgreSQL then ends one of them as a
    deadlock. Only that statement is undone (the savepoint), so it is written once
    more: now it waits for the other write to finish, and hears whether the time
    was taken."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                appointment.save()
        except IntegrityError as error:
            if not is_overlap(error):
                raise
            return error
        except OperationalError as error:
            if attempt or not is_deadlock(error):
                raise
            continue
        return None


def local_text(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%a %d %b %Y %H:%M")


def _alternatives(appointment: Appointment) -> list[slots.Slot]:
    return slots.find_slots(
        appointment_type=appointment.appointment_type,
        provider=appointment.provider,
        location=appointment.location,
        limit=ALTERNATIVES,
        now=max(timezone.now(), appointment.start),
        ignore_appointment_id=appointment.pk,
    )


def _overlapping(queryset, appointment: Appointment):
    qs = queryset.overlapping(appointment.start, appointment.end).filter(
        status__in=Appointment.ACTIVE_STATUSES
    )
    if appointment.pk:
        qs = qs.exclude(pk=appointment.pk)
    return qs


def _free_room(appointment: Appointment) -> Room | None:
    busy_rooms = _overlapping(
        Appointment.objects.filter(room__isnull=False), appointment
    ).values("room_id")
    return (
        Room.objects.filter(
            location=appointment.location,
            kind=appointment.appointment_type.room_kind,
            is_active=True,
        )
        .exclude(pk__in=busy_rooms)
        .order_by("name")
        .first()
    )


def _place(
    appointment: Appointment,
    *,
    actor,
    override_reason: str,
    double_book: bool,
    allow_past: bool = False,
) -> Appointment:
    """Check and save a new or moved appointment; the rules of every booking."""
    override_reason = override_reason.strip()
    if timezone.is_naive(appointment.start):
        raise ValidationError({"start": _("The time needs a time zone.")})
    # UTC, so that adding the duration is right on a daylight-saving day too.
    appointment.start = appointment.start.astimezone(UTC)
    appointment.end = appointment.start + timedelta(
        minutes=appointment.appointment_type.duration_minutes
    )
    if not allow_past and appointment.start < timezone.now() - timedelta(minutes=5):
        raise SchedulingError(str(IN_THE_PAST))
    allowed = list(appointment.appointment_type.providers.values_list("pk", flat=True))
    if allowed and appointment.provider_id not in allowed:
        raise NotAllowed(str(PROVIDER_NOT_ALLOWED))
    if double_book:
        if actor is None or not actor.has_perm(DOUBLE_BOOK_PERMISSION):
            raise NotAllowed(str(DOUBLE_BOOK_FORBIDDEN))
        if not override_reason:
            raise ValidationError({"override_reason": REASON_REQUIRED})
    elif not slots.is_within_availability(
        provider=appointment.provider,
        location=appointment.location,
        start=appointment.start,
        end=appointment.end,
    ):
        raise OutsideAvailability(str(OUTSIDE_HOURS))
    if (
        _overlapping(
            Appointment.objects.filter(patient=appointment.patient), appointment
        ).exists()
        and not override_reason
    ):
        raise PatientBusy(str(PATIENT_BUSY))
    provider_busy = _overlapping(
        Appointment.objects.filter(
            provider=appointment.provider, is_double_booked=False
        ),
        appointment,
    ).exists()
    appointment.is_double_booked = bool(double_book and provider_busy)
    if provider_busy and not double_book:
        raise SlotTaken(SLOT_TAKEN, _alternatives(appointment))
    if appointment.appointment_type.room_kind:
        if (
            appointment.room_id is None
            or _overlapping(
                Appointment.objects.filter(room_id=appointment.room_id), appointment
            ).exists()
        ):
            appointment.room = _free_room(appointment)
        if appointment.room is None:
            raise SlotTaken(NO_ROOM_FREE, _alternatives(appointment))
    appointment.override_reason = override_reason
    appointment.full_clean(validate_constraints=False)
    overlap = overlap_on_save(appointment)
    if overlap is not None:
        # Another clerk took the time between our check and our insert.
        if appointment._state.adding:
            appointment.pk = None
        raise SlotTaken(SLOT_TAKEN, _alternatives(appointment)) from overlap
    return appointment


def appointment_book(
    *,
    patient,
    appointment_type: AppointmentType,
    provider: Provider,
    location: Location,
    start: datetime,
    actor,
    room: Room | None = None,
    notes: str = "",
    override_reason: str = "",
    double_book: bool = False,
    series=None,
    series_index: int | None = None,
    allow_past: bool = False,
    waitlist_entry: WaitlistEntry | None = None,
    via: str = "",
) -> Appointment:
    """A provider's (and a room's) time goes to at most one active visit, unless a
    user allowed to double-book does so with a reason; the same patient is not
    booked twice at once without a reason. A booking offered from the patient's
    waitlist entry marks that entry booked in the same transaction (an entry of
    another patient is left as it is). ``via`` names a booker that is not a staff
    user (a FHIR client) in the visit's history."""
    appointment = Appointment(
        patient=patient,
        appointment_type=appointment_type,
        provider=provider,
        location=location,
        room=room,
        start=start,
        notes=notes,
        booked_by=actor,
        series=series,
        series_index=series_index,
    )
    reason = override_reason.strip()
    booked = f"booked via {via}" if via else "booked"
    appointment._change_reason = (
        f"{booked}; override: {reason}"[:100] if reason else booked[:100]
    )
    with transaction.atomic():
        _place(
            appointment,
            actor=actor,
            override_reason=override_reason,
            double_book=double_book,
            allow_past=allow_past,
        )
        if waitlist_entry is not None and waitlist_entry.patient_id == patient.pk:
            waitlist_mark(
                entry=waitlist_entry,
                status=WaitlistEntry.Status.BOOKED,
                actor=actor,
                appointment=appointment,
            )
        reminders_sync(appointment=appointment, actor=actor)
        publish("appointment.booked", patient=patient, subject=appointment, actor=actor)
    return appointment


def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime,
    actor,
    provider: Provider | None = None,
    override_reason: str = "",
    double_book: bool = False,
    via: str = "",
) -> Appointment:
    """Moving a visit follows the same rules as booking it; its room follows if free.
    ``via`` names a mover that is not a staff user (the patient's own link)."""
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.status not in Appointment.UPCOMING_STATUSES:
            raise SchedulingError(str(NOT_ACTIVE))
        old = local_text(locked.start)
        locked.start = start
        if provider is not None:
            locked.provider = provider
        locked._change_reason = f"moved from {old}" + (f" via {via}" if via else "")
        _place(
            locked,
            actor=actor,
            override_reason=override_reason or locked.override_reason,
            double_book=double_book,
        )
        reminders_sync(appointment=locked, actor=actor)
        publish("appointment.rescheduled", subject=locked, actor=actor)
    return locked
