"""Who on the waitlist could take a freed slot."""

from django.db.models import Q
from django.utils import timezone

from scheduling.models import (
    Appointment,
    WaitlistEntry,
)
from scheduling.slots import PARTS_OF_DAY


def _suits(entry: WaitlistEntry, appointment: Appointment) -> bool:
    local = timezone.localtime(appointment.start)
    if entry.weekdays and str(local.weekday()) not in entry.weekdays:
        return False
    if entry.part_of_day:
        low, high = PARTS_OF_DAY[entry.part_of_day]
        if not low <= local.time() < high:
            return False
    return True


def waitlist_candidates(*, appointment: Appointment, limit: int = 10):
    """Who could take a freed slot, best first: those who asked for this provider,
    then those who named none; within each, who has waited longest."""
    day = timezone.localtime(appointment.start).date()
    entries = (
        WaitlistEntry.objects.filter(
            status=WaitlistEntry.Status.WAITING,
            appointment_type_id=appointment.appointment_type_id,
            until__gte=day,
        )
        .filter(Q(provider__isnull=True) | Q(provider_id=appointment.provider_id))
        .exclude(patient_id=appointment.patient_id)
        .select_related("patient", "provider")
        .order_by("created_at")[:200]
    )
    suitable = [entry for entry in entries if _suits(entry, appointment)]
    suitable.sort(key=lambda e: (e.provider_id is None, e.created_at))
    return suitable[:limit]


def waitlist_entry_for(*, pk, patient) -> WaitlistEntry | None:
    """The waitlist entry a booking page was opened from, if it is this patient's."""
    try:
        pk = int(pk or 0)
    except (TypeError, ValueError):
        return None
    return WaitlistEntry.objects.filter(pk=pk, patient=patient).first()
