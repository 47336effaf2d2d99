"""Reminder rules are automations: one engine.

A reminder rule (``alerts.ReminderRule``: text, language variants, quiet hours,
channel) is the message of an automation with a time-relative trigger ("N hours
before the appointment") and one "send message" action pointing at the rule. The
outbox (``alerts.services.reminders_sync``) asks this module which rules apply to a
visit — the enabled automations whose conditions hold for it — and writes each
reminder with the booking, as a scheduled row (like a wait), once per visit time.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from automations.conditions import conditions_match
from automations.facts import facts_for
from automations.models import Action, Automation, Condition, Trigger

K = Action.Kind


def is_outbox_reminder(automation: Automation, actions: list[Action]) -> bool:
    """Only reminder messages before a visit: written ahead into the outbox, so the
    sweeper makes no event for it."""
    return (
        automation.trigger == Trigger.APPOINTMENT_TIME
        and (automation.offset_minutes or 0) < 0
        and bool(actions)
        and all(a.kind == K.SEND_MESSAGE and a.message_rule_id for a in actions)
    )


def reminder_rules_for(*, appointment) -> list:
    """The reminder rules to write for this visit, each with ``hours_before`` taken
    from its automation; newest-first order of the outbox (furthest ahead first)."""
    from alerts.models import ReminderRule, ReminderVariant
    from alerts.reminders import rule_applies

    actions = Action.objects.filter(
        kind=K.SEND_MESSAGE, message_rule__is_active=True
    ).select_related("message_rule")
    automations = list(
        Automation.objects.filter(
            enabled=True,
            trigger=Trigger.APPOINTMENT_TIME,
            offset_minutes__lt=0,
            actions__kind=K.SEND_MESSAGE,
            actions__message_rule__isnull=False,
        )
        .distinct()
        .prefetch_related(
            "conditions",
            Prefetch("actions", queryset=actions, to_attr="message_actions"),
        )
    )
    if not automations:
        return []
    facts = facts_for(
        patient=appointment.patient, subject=appointment, at=timezone.now()
    )
    wanted: dict[int, float] = {}
    for automation in automations:
        if not conditions_match(automation, facts):
            continue
        for action in automation.message_actions:
            wanted[action.message_rule_id] = -automation.offset_minutes / 60
    rules = list(
        ReminderRule.objects.filter(pk__in=wanted).prefetch_related(
            "appointment_types",
            Prefetch("variants", queryset=ReminderVariant.objects.all()),
        )
    )
    found = []
    for rule in rules:
        types = {t.pk for t in rule.appointment_types.all()}
        if not rule_applies(
            rule_type_ids=types, appointment_type_id=appointment.appointment_type_id
        ):
            continue
        hours = wanted[rule.pk]
        rule.hours_before = int(hours) if hours == int(hours) else hours
        found.append(rule)
    return sorted(found, key=lambda r: (-r.hours_before, r.pk))


def rule_automation_sync(*, rule, actor=None) -> Automation:
    """The automation of a reminder rule follows the rule (made on first save)."""
    with transaction.atomic():
        action = (
            Action.objects.select_related("automation")
            .filter(message_rule=rule)
            .first()
        )
        if action is None:
            automation = Automation(
                trigger=Trigger.APPOINTMENT_TIME,
                owner=actor if getattr(actor, "pk", None) else None,
                description=_("Reminder rule: its text is edited on the rule."),
            )
            action = Action(kind=K.SEND_MESSAGE, position=0, message_rule=rule)
        else:
            automation = action.automation
        automation.name = rule.name
        automation.offset_minutes = -rule.hours_before * 60
        if rule.is_active and not automation.enabled:
            automation.enabled_at = timezone.now()
        automation.enabled = rule.is_active
        automation._change_reason = "follows its reminder rule"
        automation.save()
        action.automation = automation
        action.channel = rule.channel
        action.title = rule.subject
        action.body = rule.body
        action._change_reason = "follows its reminder rule"
        action.save()
        type_ids = [
            str(pk) for pk in rule.appointment_types.values_list("pk", flat=True)
        ]
        for condition in automation.conditions.filter(
            field=Condition.Field.APPOINTMENT_TYPE
        ):
            condition.delete()
        if type_ids:
            Condition.objects.create(
                automation=automation,
                field=Condition.Field.APPOINTMENT_TYPE,
                operator=Condition.Operator.IN,
                values=type_ids,
            )
    return automation


def rules_follow_automation(*, automation: Automation) -> None:
    """A reminder automation's rules follow it: on or off, and how many hours
    before the visit (whole hours, as rules count them)."""
    offset = automation.offset_minutes or 0
    hours = -offset // 60 if offset < 0 and offset % 60 == 0 else None
    for action in automation.actions.filter(message_rule__isnull=False).select_related(
        "message_rule"
    ):
        rule = action.message_rule
        changed = rule.is_active != automation.enabled
        rule.is_active = automation.enabled
        if hours and rule.hours_before != hours:
            rule.hours_before, changed = hours, True
        if changed:
            from alerts.services import reminders_refresh_later

            rule._change_reason = "follows its automation"
            rule.save()
            reminders_refresh_later(rule=rule)


BACKFILL_LIMIT = 5000


def reminders_backfill(*, automation_id: int, now=None) -> int:
    """A reminder automation switched on writes its reminders for visits already
    booked (the outbox skips times already past)."""
    from alerts.services import reminders_sync_all
    from scheduling.models import Appointment

    automation = Automation.objects.filter(pk=automation_id, enabled=True).first()
    if (
        automation is None
        or not automation.actions.filter(message_rule__isnull=False).exists()
    ):
        return 0
    now = now or timezone.now()
    return reminders_sync_all(
        Appointment.objects.filter(
            status__in=Appointment.UPCOMING_STATUSES, start__gt=now
        ).order_by("start")[:BACKFILL_LIMIT]
    )


def reminders_backfill_later(*, automation: Automation) -> None:
    from automations.jobs import reminders_backfill_job
    from clinic.queueing import enqueue_on_commit

    if automation.actions.filter(message_rule__isnull=False).exists():
        enqueue_on_commit(reminders_backfill_job, automation.pk, queue="default")
