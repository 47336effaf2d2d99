from datetime import time

import factory

from alerts.models import ReminderRule, ReminderVariant
from automations.reminders.editing import reminder_rule_save, rule_automation_save


class ReminderRuleFactory(factory.django.DjangoModelFactory):
    """A reminder message with its automation (``hours_before``, ``is_active`` and
    ``appointment_types`` are the automation's, as when saved on the rule page)."""

    class Meta:
        model = ReminderRule
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Reminder {n}")
    channel = ReminderRule.Channel.SMS
    body = "Hi {first_name}, see you {weekday} {date} at {time}. {reply_instructions}"
    quiet_start = time(21)
    quiet_end = time(8)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        hours_before = kwargs.pop("hours_before", 24)
        is_active = kwargs.pop("is_active", True)
        types = kwargs.pop("appointment_types", [])
        rule = super()._create(model_class, *args, **kwargs)
        rule_automation_save(
            rule=rule,
            hours_before=hours_before,
            is_active=is_active,
            appointment_type_ids=[str(t.pk) for t in types],
        )
        return rule


class ReminderVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderVariant

    rule = factory.SubFactory(ReminderRuleFactory)
    language = "es"
    body = "Hola {first_name}, le esperamos el {date} a las {time}."


def rule_save(rule, actor, *, hours_before=24, is_active=True, **changes):
    """Save ``rule`` as the rule page does (no types, no variants)."""
    for name, value in changes.items():
        setattr(rule, name, value)
    return reminder_rule_save(
        rule=rule,
        hours_before=hours_before,
        is_active=is_active,
        appointment_type_ids=[],
        variants=[],
        actor=actor,
    )
