"""The outbox follows the visits and the reminder automations.

An upcoming visit has one pending reminder per reminder that applies to it (see
``automations.reminders.rules``), for its current start, written in the booking's
transaction (scheduling calls ``reminders_sync``). A visit moved or cancelled, an
automation switched off or edited, a rule edited: the pending reminders follow.
"""

from django.db import transaction
from django.utils import timezone

from alerts.models import Notification
from alerts.quiet_hours import send_time
from alerts.services import visit_reminder_put, visit_reminders_settle
from automations.models import Automation
from automations.reminders.rules import reminders_for, rule_text
from automations.sources import visit_model
from registration.models import PatientContact
from registration.selectors import contacts_permitted

BACKFILL_LIMIT = 5000


def reminders_sync(*, appointment, actor=None) -> list[Notification]:
    """An active visit has one reminder per rule that applies, for its current start;
    when a visit moves, its pending reminders for the old time are cancelled (new
    ones are made for the new time); when it is cancelled, all of them are. A rule
    switched off (or no longer applying) cancels its pending reminders; an edited
    rule rewrites the text and time of those not yet sent. Each of the patient's
    contacts who holds the reminder permission under valid consent gets the same
    reminders, in their own language."""
    active = appointment.status in visit_model().UPCOMING_STATUSES
    patient = appointment.patient
    with transaction.atomic():
        reminders = reminders_for(appointment=appointment) if active else []
        contacts = (
            [
                contact
                for contact in contacts_permitted(
                    patient=patient, permission=PatientContact.Permission.REMINDERS
                )
                # The patient's own reminder already reaches a shared phone.
                if not contact.phone_mobile
                or contact.phone_mobile != patient.phone_mobile
            ]
            if reminders
            else []
        )
        visit_reminders_settle(
            appointment=appointment,
            active=active,
            applying={reminder.rule.pk for reminder in reminders},
            contacts={contact.pk for contact in contacts},
        )
        now = timezone.now()
        made = []
        for reminder in reminders:
            rule = reminder.rule
            when = send_time(
                start=appointment.start,
                hours_before=reminder.hours_before,
                quiet_start=rule.quiet_start,
                quiet_end=rule.quiet_end,
                now=now,
            )
            if when is None:
                continue
            for contact in [None, *contacts]:
                text = rule_text(
                    rule,
                    patient=patient,
                    visit=appointment,
                    language=contact.language
                    if contact
                    else patient.preferred_language,
                )
                made.append(
                    visit_reminder_put(
                        appointment=appointment,
                        rule=rule,
                        when=when,
                        subject=text.subject,
                        body=text.body,
                        language=text.language,
                        contact=contact,
                    )
                )
    return made


def reminders_sync_all(visits) -> int:
    """``reminders_sync`` for each visit of a queryset (a job's work: a rule
    edited, an automation switched on or off). Returns how many."""
    done = 0
    for visit in visits.select_related(
        "patient", "appointment_type", "provider", "location"
    ):
        reminders_sync(appointment=visit)
        done += 1
    return done


def reminders_refresh(*, automation_id: int) -> int:
    """After a reminder automation or its rule was edited or switched off: every
    visit with a reminder of its rules still waiting is synced again (text, time,
    or cancelled). Returns the visits."""
    rule_ids = Automation.objects.filter(pk=automation_id).values(
        "actions__message_rule"
    )
    return reminders_sync_all(
        visit_model().objects.filter(
            pk__in=Notification.objects.filter(
                rule_id__in=rule_ids, status=Notification.Status.PENDING
            ).values("appointment_id")
        )
    )


def reminders_backfill(*, automation_id: int, now=None) -> int:
    """A reminder automation switched on writes its reminders for visits already
    booked (the outbox skips times already past)."""
    automation = Automation.objects.filter(pk=automation_id, enabled=True).first()
    if (
        automation is None
        or not automation.actions.filter(message_rule__isnull=False).exists()
    ):
        return 0
    now = now or timezone.now()
    Visit = visit_model()
    return reminders_sync_all(
        Visit.objects.filter(
            status__in=Visit.UPCOMING_STATUSES, start__gt=now
        ).order_by("start")[:BACKFILL_LIMIT]
    )
