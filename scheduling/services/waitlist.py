"""The waitlist: patients who would take an earlier slot (who could take a freed
slot is ``scheduling.selectors.waitlist_candidates``)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from scheduling.models import WaitlistEntry


def waitlist_add(*, actor, **fields) -> WaitlistEntry:
    entry = WaitlistEntry(**fields)
    entry.full_clean()
    entry._change_reason = "added to the waitlist"
    entry.save()
    return entry


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
