from datetime import time

import factory

from alerts.models import ReminderRule, ReminderVariant


class ReminderRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderRule
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Reminder {n}")
    hours_before = 24
    channel = ReminderRule.Channel.SMS
    body = "Hi {first_name}, see you {weekday} {date} at {time}. {reply_instructions}"
    quiet_start = time(21)
    quiet_end = time(8)

    @factory.post_generation
    def automation(obj, create, extracted, **kwargs):
        """A rule is the message of an automation (one engine), as when saved."""
        if create:
            from automations.reminders import rule_automation_sync

            rule_automation_sync(rule=obj)


class ReminderVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderVariant

    rule = factory.SubFactory(ReminderRuleFactory)
    language = "es"
    body = "Hola {first_name}, le esperamos el {date} a las {time}."
