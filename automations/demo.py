"""Demo automations: a few starters switched on, a reminder left as a draft, and the
past weeks' visit events in the log so a dry run has something to replay."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from automations.facts import facts_for
from automations.models import Automation, Event
from automations.services import automation_enable
from automations.starters import BY_SLUG, build_starter

# Reminders come from the alerts demo's rules (each one an automation).
SWITCHED_ON = [
    "no-show-follow-up",
    "eligibility-failed-task",
    "critical-escalation",
    "annual-recall",
]
DRAFTS = ["new-patient-welcome"]


def _history_events(now) -> list[Event]:
    from scheduling.models import Appointment

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


def seed_automations(*, faker, rng, options, stdout) -> None:
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
