"""Demo automations: the reminder messages of the alerts demo sent by automations
(with the coming visits' reminders written), a few starters switched on, a
reminder left as a draft, and the past weeks' visit events in the log so a dry
run has something to replay."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from alerts.models import ReminderRule
from automations.facts import facts_for
from automations.models import Automation, Event
from automations.reminders.editing import rule_automation, rule_automation_save
from automations.reminders.sync import reminders_sync_all
from automations.services import automation_enable
from automations.sources import visit_model
from automations.starters import BY_SLUG, build_starter

# How long before the visit each of the alerts demo's reminder messages goes.
REMINDER_HOURS = {"Three days before": 72, "Day before": 24, "Two hours before": 2}
SWITCHED_ON = [
    "no-show-follow-up",
    "eligibility-failed-task",
    "critical-escalation",
    "annual-recall",
]
DRAFTS = ["new-patient-welcome"]


def _history_events(now) -> list[Event]:
    Appointment = visit_model()
    S = Appointment.Status
    kinds = {S.NO_SHOW: "appointment.no_show", S.COMPLETED: "appointment.completed"}
    visits = Appointment.objects.filter(
        status__in=list(kinds), start__gte=now - timedelta(days=30), start__lte=now
    ).select_related("patient")
    subject_type = ContentType.objects.get_for_model(Appointment)
    events = []
    for visit in visits.order_by("start"):
        when = visit.no_show_at or visit.completed_at or visit.end
        events.append(
            Event(
                kind=kinds[visit.status],
                patient=visit.patient,
                subject_type=subject_type,
                subject_id=str(visit.pk),
                facts=facts_for(patient=visit.patient, subject=visit, at=when),
                occurred_at=when,
                processed_at=when,
                note="demo history",
            )
        )
    return events


def _reminders(now) -> int:
    """Each demo reminder message gets its automation (on); the visits of the next
    days their reminders. Returns how many visits were given reminders."""
    made = False
    for rule in ReminderRule.objects.filter(name__in=REMINDER_HOURS):
        if rule_automation(rule) is None:
            rule_automation_save(
                rule=rule,
                hours_before=REMINDER_HOURS[rule.name],
                is_active=True,
                appointment_type_ids=[],
            )
            made = True
    if not made:
        return 0
    Visit = visit_model()
    return reminders_sync_all(
        Visit.objects.filter(
            status__in=Visit.UPCOMING_STATUSES,
            start__gt=now + timedelta(hours=1),
            start__lt=now + timedelta(days=4),
        ).order_by("start", "pk")
    )


def seed_automations(*, faker, rng, options, stdout) -> None:
    visits = _reminders(timezone.now())
    if visits:
        stdout.write(f"Automations: reminders written for {visits} coming visits.")
    admin = get_user_model().objects.filter(username="admin").first()
    if admin is None:
        return
    now = timezone.now()
    for slug in SWITCHED_ON + DRAFTS:
        if Automation.objects.filter(starter=slug).exists():
            continue
        automation = build_starter(BY_SLUG[slug], actor=admin)
        if slug in SWITCHED_ON:
            automation_enable(automation=automation, actor=admin)
    if not Event.objects.filter(note="demo history").exists():
        events = _history_events(now)
        bulk_create_with_history(events, Event, batch_size=500, default_user=admin)
        stdout.write(f"Automations: {len(events)} past visit events in the log.")
