"""The periodic writes of scheduling (listed in ``scheduling.sweepers``)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinic import clock
from scheduling import eligibility
from scheduling.models import Appointment
from scheduling.services.visits import appointment_mark_no_show


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
