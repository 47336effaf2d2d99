"""Writes of the scheduling app: booking, moving, cancelling, the visit's status.

Every write is one transaction and keeps history. Overlaps of a provider's or a
room's time are refused by PostgreSQL exclusion constraints; the checks here only
give the clerk a clear message earlier, and a violation that slips past them (two
clerks at the same instant) becomes ``SlotTaken`` with the next free slots.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from automations.events import publish
from automations.reminders.sync import reminders_sync
from automations.selectors import event_task_automated
from clinic import clock
from scheduling import eligibility, slots, visit_windows
from scheduling.exceptions import (
    DOUBLE_BOOK_FORBIDDEN,
    IN_THE_PAST,
    INVALID_TRANSITION,
    NO_ROOM_FREE,
    NOT_ACTIVE,
    OUTSIDE_HOURS,
    OVERRIDE_FORBIDDEN,
    OVERRIDE_REASON_REQUIRED,
    PATIENT_BUSY,
    PROVIDER_NOT_ALLOWED,
    REASON_REQUIRED,
    SLOT_TAKEN,
    InvalidTransition,
    NotAllowed,
    OutsideAvailability,
    OutsideVisitWindow,
    PatientBusy,
    SchedulingError,
    SlotTaken,
)
from scheduling.models import Appointment, AppointmentType, Location, Provider, Room

S = Appointment.Status
OVERLAP_CONSTRAINTS = {"scheduling_no_provider_overlap", "scheduling_no_room_overlap"}
DOUBLE_BOOK_PERMISSION = "scheduling.double_book_appointment"
ALTERNATIVES = 5

# Which status may follow which; each target has its stamp fields.
TRANSITIONS: dict[str, set[str]] = {
    S.SCHEDULED: {S.CONFIRMED, S.ARRIVED, S.CANCELLED, S.NO_SHOW},
    S.CONFIRMED: {S.ARRIVED, S.CANCELLED, S.NO_SHOW},
    S.ARRIVED: {S.IN_ROOM, S.CANCELLED},
    S.IN_ROOM: {S.COMPLETED},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
    S.NO_SHOW: set(),
}
STAMPS = {
    S.CONFIRMED: "confirmed",
    S.ARRIVED: "arrived",
    S.IN_ROOM: "in_room",
    S.COMPLETED: "completed",
    S.CANCELLED: "cancelled",
    S.NO_SHOW: "no_show",
}


def _local(moment: datetime) -> str:
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
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as error:
        constraint = getattr(
            getattr(error.__cause__, "diag", None), "constraint_name", ""
        )
        if constraint not in OVERLAP_CONSTRAINTS:
            raise
        # Another clerk took the time between our check and our insert.
        if appointment._state.adding:
            appointment.pk = None
        raise SlotTaken(SLOT_TAKEN, _alternatives(appointment)) from error
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
) -> Appointment:
    """A provider's (and a room's) time goes to at most one active visit, unless a
    user allowed to double-book does so with a reason; the same patient is not
    booked twice at once without a reason."""
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
    appointment._change_reason = (
        f"booked; override: {reason}"[:100] if reason else "booked"
    )
    with transaction.atomic():
        _place(
            appointment,
            actor=actor,
            override_reason=override_reason,
            double_book=double_book,
            allow_past=allow_past,
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
) -> Appointment:
    """Moving a visit follows the same rules as booking it; its room follows if free."""
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.status not in Appointment.UPCOMING_STATUSES:
            raise SchedulingError(str(NOT_ACTIVE))
        old = _local(locked.start)
        locked.start = start
        if provider is not None:
            locked.provider = provider
        locked._change_reason = f"moved from {old}"
        _place(
            locked,
            actor=actor,
            override_reason=override_reason or locked.override_reason,
            double_book=double_book,
        )
        reminders_sync(appointment=locked, actor=actor)
        publish("appointment.rescheduled", subject=locked, actor=actor)
    return locked


def _is_override(locked: Appointment, target: str, *, actor, reason: str) -> bool:
    """Check-in, rooming and completion on the visit's day, a no-show after the
    grace period; outside those times only with the override permission and a
    reason (``scheduling.visit_windows``). True when this change is an override."""
    closed = visit_windows.closed_message(locked, target, timezone.now())
    if not closed:
        return False
    if actor is None or not actor.has_perm(visit_windows.OVERRIDE_PERMISSION):
        raise OutsideVisitWindow(f"{closed} {OVERRIDE_FORBIDDEN}")
    if not reason:
        raise ValidationError({"reason": f"{closed} {OVERRIDE_REASON_REQUIRED}"})
    return True


def _transition(
    appointment: Appointment, target: str, *, actor, reason: str = ""
) -> Appointment:
    reason = reason.strip()
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if target not in TRANSITIONS[locked.status]:
        raise InvalidTransition(
            str(INVALID_TRANSITION)
            % {"current": locked.get_status_display(), "target": S(target).label}
        )
    override = _is_override(locked, target, actor=actor, reason=reason)
    stamp = STAMPS[target]
    now = timezone.now()
    setattr(locked, f"{stamp}_at", now)
    setattr(locked, f"{stamp}_by", actor)
    locked.status = target
    locked.status_reason = reason[:200] if override else ""
    if override:
        locked._change_reason = f"{target} outside the visit's time: {reason}"[:100]
    else:
        locked._change_reason = (f"{target}: {reason}" if reason else target)[:100]
    return locked


def appointment_confirm(
    *, appointment: Appointment, actor, reason: str = ""
) -> Appointment:
    """A visit is confirmed at any time (``reason`` is unused: the quick actions
    share one signature)."""
    with transaction.atomic():
        locked = _transition(appointment, S.CONFIRMED, actor=actor)
        locked.save()
    return locked


def appointment_check_in(
    *,
    appointment: Appointment,
    actor,
    copay_collected: Decimal | None = None,
    reason: str = "",
) -> Appointment:
    """Check-in records the copay due (from the patient's coverage) and any taken;
    it happens on the visit's day (else an override with a reason)."""
    if copay_collected is not None and copay_collected < 0:
        raise ValidationError({"copay_collected": _("A copay cannot be negative.")})
    with transaction.atomic():
        locked = _transition(appointment, S.ARRIVED, actor=actor, reason=reason)
        info = eligibility.check_in_info(appointment=locked)
        locked.copay_due = info.copay_due
        locked.copay_collected = copay_collected
        locked.save()
        publish("appointment.checked_in", subject=locked, actor=actor)
    return locked


def appointment_room(
    *, appointment: Appointment, actor, room: Room | None = None, reason: str = ""
) -> Appointment:
    with transaction.atomic():
        locked = _transition(appointment, S.IN_ROOM, actor=actor, reason=reason)
        if room is not None:
            locked.room = room
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as error:
            raise SlotTaken(NO_ROOM_FREE) from error
    return locked


def appointment_complete(
    *, appointment: Appointment, actor, reason: str = ""
) -> Appointment:
    """Completing a visit (on its day, else an override with a reason) captures its
    draft charges."""
    from billing.services import charges_capture_for_visit

    with transaction.atomic():
        locked = _transition(appointment, S.COMPLETED, actor=actor, reason=reason)
        locked.save()
        charges_capture_for_visit(appointment=locked, actor=actor)
        publish("appointment.completed", subject=locked, actor=actor)
    return locked


def appointment_cancel(*, appointment: Appointment, reason: str, actor) -> Appointment:
    """A cancellation keeps its reason; the time becomes free at once."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    with transaction.atomic():
        locked = _transition(appointment, S.CANCELLED, actor=actor, reason=reason)
        locked.cancel_reason = reason[:200]
        locked.save()
        reminders_sync(appointment=locked, actor=actor)
        publish("appointment.cancelled", subject=locked, actor=actor)
    return locked


NO_SHOW_TASK_KEY = "no-show:%(pk)s"


def appointment_mark_no_show(
    *, appointment: Appointment, actor=None, reason: str = ""
) -> Appointment:
    """A visit becomes a no-show only after its start and the grace period (else an
    override with a reason). A no-show opens a follow-up task for the front desk to
    rebook the patient, unless an enabled automation that the no-show starts makes
    that task."""
    from alerts.services import alert_raise

    with transaction.atomic():
        locked = _transition(appointment, S.NO_SHOW, actor=actor, reason=reason)
        locked.save()
        event = publish("appointment.no_show", subject=locked, actor=actor)
        if event_task_automated(event, role="Front desk"):
            return locked  # an enabled no-show automation makes the front-desk task
        alert_raise(
            kind="no_show_follow_up",
            title=_("No-show: %(patient)s, %(type)s on %(when)s — rebook")
            % {
                "patient": f"{locked.patient.given_name} {locked.patient.family_name}",
                "type": locked.appointment_type.name,
                "when": _local(locked.start),
            },
            patient=locked.patient,
            subject=locked,
            role="Front desk",
            key=NO_SHOW_TASK_KEY % {"pk": locked.pk},
        )
    return locked


QUICK_ACTIONS = {
    S.CONFIRMED: appointment_confirm,
    S.ARRIVED: appointment_check_in,
    S.IN_ROOM: appointment_room,
    S.COMPLETED: appointment_complete,
    S.NO_SHOW: appointment_mark_no_show,
}


def no_show_sweep(*, now: datetime) -> int:
    """Visits not checked in N minutes (setting, never less than the no-show grace
    period) after their start become no-shows; a visit whose no-show was undone is
    left to the front desk."""
    minutes = max(settings.SCHEDULING_NO_SHOW_MINUTES, settings.NO_SHOW_GRACE_MINUTES)
    cutoff = now - timedelta(minutes=minutes)
    due = list(
        Appointment.objects.filter(
            status__in=Appointment.UPCOMING_STATUSES,
            start__lte=cutoff,
            no_show_undone_at__isnull=True,
        )
        .order_by("start")
        .values_list("pk", flat=True)[:500]
    )
    done = 0
    for pk in due:
        with transaction.atomic():
            appointment = (
                Appointment.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status__in=Appointment.UPCOMING_STATUSES)
                .first()
            )
            if appointment is None:
                continue
            appointment_mark_no_show(appointment=appointment, actor=None)
            done += 1
    return done


def eligibility_sweep(*, now: datetime) -> int:
    """Tomorrow's visits get their coverage checked once a day (nightly)."""
    zone = clock.clinic_zone()
    today = timezone.localtime(now, zone).date()
    tomorrow = today + timedelta(days=1)
    since = clock.local_midnight(today)
    due = (
        Appointment.objects.filter(
            status__in=Appointment.UPCOMING_STATUSES,
            start__gte=clock.local_midnight(tomorrow),
            start__lt=clock.local_midnight(tomorrow + timedelta(days=1)),
        )
        .exclude(eligibility_checked_at__gte=since)
        .select_related("patient")[:500]
    )
    done = 0
    for appointment in due:
        status = eligibility.verify(patient=appointment.patient, service_date=tomorrow)
        if status is None:
            continue
        with transaction.atomic():
            locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
            locked.eligibility_status = status
            locked.eligibility_checked_at = now
            locked._change_reason = f"eligibility {status}"
            locked.save()
        done += 1
    return done


def provider_feed_reset(*, provider: Provider, actor) -> Provider:
    """A new secret feed URL; the old one stops working at once."""
    provider.feed_token = Provider.new_feed_token()
    provider._change_reason = "calendar feed link renewed"
    provider.save()
    return provider


def provider_feed_revoke(*, provider: Provider, actor) -> Provider:
    provider.feed_token = ""
    provider._change_reason = "calendar feed link revoked"
    provider.save()
    return provider
