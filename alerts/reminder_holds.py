"""When a reminder that is due must not go (yet): checked again by the sender just
before it sends, through ``alerts.hooks.SEND_HOLDS`` (``AlertsConfig.ready``).

The visit is read through the row's own foreign key (``row.appointment``): alerts
imports nothing of scheduling.
"""

from datetime import datetime

from alerts import quiet_hours
from alerts.hooks import Later, Stop
from alerts.models import Notification

N = Notification.Status


def reminder_hold(row: Notification, now: datetime) -> Stop | Later | None:
    """A reminder is cancelled when its rule is off, its visit is no longer
    expected, has moved, or starts within ``quiet_hours.LAST_CALL``; one due inside
    its rule's quiet hours (the sender was down) waits for their end."""
    if row.rule_id is None:
        return None
    if not row.rule.is_active:
        return Stop(N.CANCELLED, "reminder rule switched off")
    appointment = row.appointment
    if appointment is not None:
        if appointment.status not in appointment.UPCOMING_STATUSES:
            return Stop(
                N.CANCELLED, f"visit {appointment.get_status_display().lower()}"
            )
        if appointment.start != row.appointment_start:
            return Stop(N.CANCELLED, "visit moved")
        if appointment.start - quiet_hours.LAST_CALL <= now:
            return Stop(N.CANCELLED, "too late: the visit is about to start")
    rule = row.rule
    later = quiet_hours.quiet_hours_end(
        now,
        quiet_start=rule.quiet_start,
        quiet_end=rule.quiet_end,
        zone=quiet_hours.clinic_zone(),
    )
    return Later(later, "quiet hours") if later > now else None
