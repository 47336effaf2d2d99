from django.db import migrations
from django.utils import timezone


def timing_to_automations(apps, schema_editor):
    """Before a reminder rule loses ``hours_before``, ``is_active`` and its
    appointment types, its automation holds what the outbox actually did: a rule
    without an automation gets one; a rule switched off switches its automation
    off (a reminder went out only when both were on); the rule's types become the
    automation's condition when it has none (a reminder went only to visits of
    both)."""
    ReminderRule = apps.get_model("alerts", "ReminderRule")
    Automation = apps.get_model("automations", "Automation")
    Action = apps.get_model("automations", "Action")
    Condition = apps.get_model("automations", "Condition")
    now = timezone.now()
    for rule in ReminderRule.objects.order_by("pk"):
        types = [str(pk) for pk in rule.appointment_types.values_list("pk", flat=True)]
        actions = list(Action.objects.filter(message_rule_id=rule.pk).order_by("pk"))
        if not actions:
            automation = Automation.objects.create(
                name=rule.name,
                description="Reminder rule: its text is edited on the rule.",
                trigger="appointment.time",
                offset_minutes=-rule.hours_before * 60,
                enabled=rule.is_active,
                enabled_at=now if rule.is_active else None,
                match="all",
                weekdays="01234",
                created_at=now,
            )
            actions = [
                Action.objects.create(
                    automation=automation,
                    position=0,
                    kind="send_message",
                    channel=rule.channel,
                    message_rule_id=rule.pk,
                )
            ]
        for action in actions:
            automation = action.automation
            if automation.enabled and not rule.is_active:
                automation.enabled = False
                automation.save(update_fields=["enabled"])
            has_types = Condition.objects.filter(
                automation=automation, field="appointment_type"
            ).exists()
            if types and not has_types:
                Condition.objects.create(
                    automation=automation,
                    field="appointment_type",
                    operator="in",
                    values=types,
                )


def timing_back_to_rules(apps, schema_editor):
    """The rule's fields come back (alerts' migration re-adds them) filled from
    its automation."""
    ReminderRule = apps.get_model("alerts", "ReminderRule")
    Action = apps.get_model("automations", "Action")
    for rule in ReminderRule.objects.order_by("pk"):
        action = (
            Action.objects.filter(message_rule=rule)
            .select_related("automation")
            .order_by("pk")
            .first()
        )
        if action is None:
            continue
        automation = action.automation
        rule.hours_before = max(1, -(automation.offset_minutes or -60) // 60)
        rule.is_active = automation.enabled
        rule.save(update_fields=["hours_before", "is_active"])


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0003_outbox_and_reminder_rules"),
        ("automations", "0003_event_patient_set_null"),
    ]

    operations = [
        migrations.RunPython(timing_to_automations, timing_back_to_rules),
    ]
