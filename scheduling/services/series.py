"""Recurring bookings (weekly infusion × 8) and edits of "this and following"."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduling.exceptions import SERIES_CONFLICT, SchedulingError
from scheduling.models import (
    Appointment,
    AppointmentSeries,
    AppointmentType,
    Location,
    WaitlistEntry,
)
from scheduling.services.booking import appointment_book, appointment_reschedule
from scheduling.services.visits import appointment_cancel


def _conflict(start: datetime, error: SchedulingError) -> SchedulingError:
    when = timezone.localtime(start).strftime("%a %d %b %Y %H:%M")
    return SchedulingError(f"{SERIES_CONFLICT % {'date': when}} ({error.message})")


def series_book(
    *,
    patient,
    appointment_type: AppointmentType,
    provider,
    location: Location,
    first_start: datetime,
    count: int,
    actor,
    interval_weeks: int = 1,
    notes: str = "",
    waitlist_entry: WaitlistEntry | None = None,
) -> AppointmentSeries:
    """All occurrences are booked, or none: one taken week refuses the series. A
    series offered from a waitlist entry marks it booked with the first visit."""
    if not 1 <= count <= 52:
        raise SchedulingError(_("A series has between 1 and 52 occurrences."))
    zone = timezone.get_default_timezone()
    local_first = timezone.localtime(first_start, zone)
    with transaction.atomic():
        series = AppointmentSeries.objects.create(
            patient=patient,
            appointment_type=appointment_type,
            interval_weeks=interval_weeks,
            count=count,
        )
        for index in range(count):
            # Same wall-clock time every week, whatever daylight saving does.
            day = local_first.date() + timedelta(weeks=interval_weeks * index)
            start = datetime.combine(day, local_first.time(), tzinfo=zone)
            try:
                appointment_book(
                    patient=patient,
                    appointment_type=appointment_type,
                    provider=provider,
                    location=location,
                    start=start,
                    actor=actor,
                    notes=notes,
                    series=series,
                    series_index=index + 1,
                    waitlist_entry=waitlist_entry if index == 0 else None,
                )
            except SchedulingError as error:
                raise _conflict(start, error) from error
    return series


def _following(appointment: Appointment):
    return list(
        Appointment.objects.select_for_update()
        .filter(
            series_id=appointment.series_id,
            series_index__gte=appointment.series_index,
            status__in=Appointment.UPCOMING_STATUSES,
        )
        .order_by("series_index")
    )


def series_reschedule_following(
    *, appointment: Appointment, start: datetime, actor
) -> list[Appointment]:
    """Move this occurrence and every later open one by the same wall-clock shift."""
    if appointment.series_id is None:
        raise SchedulingError(_("This appointment is not part of a series."))
    zone = timezone.get_default_timezone()
    old_local = timezone.localtime(appointment.start, zone)
    new_local = timezone.localtime(start, zone)
    day_shift = new_local.date() - old_local.date()
    with transaction.atomic():
        items = _following(appointment)
        # Moving later: start from the last so no occurrence lands on its neighbour.
        if start > appointment.start:
            items.reverse()
        moved = []
        for item in items:
            local = timezone.localtime(item.start, zone)
            target = datetime.combine(local.date() + day_shift, new_local.time(), zone)
            try:
                moved.append(
                    appointment_reschedule(appointment=item, start=target, actor=actor)
                )
            except SchedulingError as error:
                raise _conflict(target, error) from error
    return sorted(moved, key=lambda a: a.series_index)


def series_cancel_following(
    *, appointment: Appointment, reason: str, actor
) -> list[Appointment]:
    """Cancel this occurrence and every later open one, with one reason."""
    if appointment.series_id is None:
        raise SchedulingError(_("This appointment is not part of a series."))
    with transaction.atomic():
        return [
            appointment_cancel(appointment=item, reason=reason, actor=actor)
            for item in _following(appointment)
        ]
