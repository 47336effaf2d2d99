"""One patient's visits: for the chart, and today's for the point of care."""

from datetime import datetime

from django.utils import timezone

from clinic.clock import day_bounds
from clinic.clock import today as clock_today
from scheduling.models import (
    Appointment,
)

S = Appointment.Status


def patient_appointments(*, patient, now: datetime | None = None, limit: int = 10):
    now = now or timezone.now()
    base = Appointment.objects.filter(patient=patient).select_related(
        "provider", "appointment_type", "location", "room"
    )
    upcoming = list(
        base.filter(start__gte=now, status__in=Appointment.ACTIVE_STATUSES).order_by(
            "start"
        )[:limit]
    )
    past = list(base.filter(start__lt=now).order_by("-start")[:limit])
    return {
        "upcoming": upcoming,
        "past": past,
        "no_show_count": base.filter(status=S.NO_SHOW).count(),
    }


def patient_visit_today(*, patient, now: datetime | None = None):
    """The patient's visit today (clinic day), or None: one under way (arrived, in
    room) first, else the booked one nearest to now (cancelled and no-show visits
    are not visits)."""
    now = now or timezone.now()
    start, end = day_bounds(clock_today(now))
    visits = list(
        Appointment.objects.filter(
            patient=patient,
            start__gte=start,
            start__lt=end,
            status__in=Appointment.ACTIVE_STATUSES,
        ).select_related("location")[:20]
    )
    under_way = (S.ARRIVED, S.IN_ROOM)
    visits.sort(key=lambda a: (a.status not in under_way, abs(a.start - now)))
    return visits[0] if visits else None
