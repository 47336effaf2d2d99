"""The waitlist: patients who would take an earlier slot."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduling.models import Appointment, WaitlistEntry
from scheduling.slots import PARTS_OF_DAY


def waitlist_add(*, actor, **fields) -> WaitlistEntry:
    entry = WaitlistEntry(**fields)
    entry.full_clean()
    entry._change_reason = "added to the waitlist"
    entry.save()
    return entry


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


def waitlist_mark(
    *, entry: WaitlistEntry, status: str, actor, appointment=None
) -> WaitlistEntry:
    if status not in WaitlistEntry.Status.values:
        raise ValidationError(_("Unknown waitlist status."))
    with transaction.atomic():
        locked = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        locked.status = status
        if appointment is not None:
            locked.offered_appointment = appointment
        locked._change_reason = status
        locked.save()
    return locked
