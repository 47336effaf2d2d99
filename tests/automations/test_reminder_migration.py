"""The data migration that left a reminder rule only its message: a rule of before
(timing, on/off and types on the rule) works the same after, its automation
holding what the outbox did (a reminder went out only when both were on, and
only to visits of the rule's types)."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps

from automations.models import Automation
from automations.reminders.editing import automation_type_ids, rule_automation
from tests.alerts.factories import ReminderRuleFactory
from tests.scheduling.factories import AppointmentTypeFactory

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module(
    "automations.migrations.0004_reminder_timing_only_on_automation"
)


class _RulesOfBefore:
    """``apps`` of the migration, its rules carrying the fields they had then."""

    def __init__(self, rules):
        self.rules = rules

    def get_model(self, app_label, name):
        if name == "ReminderRule":
            return SimpleNamespace(objects=SimpleNamespace(order_by=self._rules))
        return django_apps.get_model(app_label, name)

    def _rules(self, *ordering):
        return self.rules


def _as_before(rule, *, hours_before, is_active, types=()):
    ids = [t.pk for t in types]
    return SimpleNamespace(
        pk=rule.pk,
        name=rule.name,
        channel=rule.channel,
        hours_before=hours_before,
        is_active=is_active,
        appointment_types=SimpleNamespace(values_list=lambda *a, **k: ids),
    )


def test_a_rule_without_automation_gets_one_with_its_timing_and_types():
    from alerts.models import ReminderRule

    infusion = AppointmentTypeFactory(name="Infusion")
    rule = ReminderRule.objects.create(name="Day before", body="Hi {first_name}")
    old = _as_before(rule, hours_before=24, is_active=True, types=[infusion])
    MIGRATION.timing_to_automations(_RulesOfBefore([old]), None)
    MIGRATION.timing_to_automations(_RulesOfBefore([old]), None)  # twice: one

    automation = rule_automation(rule)
    assert (automation.trigger, automation.offset_minutes, automation.enabled) == (
        "appointment.time",
        -24 * 60,
        True,
    )
    assert automation_type_ids(automation) == [str(infusion.pk)]
    assert Automation.objects.count() == 1


def test_a_rule_switched_off_switches_its_automation_off_and_lends_its_types():
    infusion = AppointmentTypeFactory(name="Infusion")
    rule = ReminderRuleFactory(hours_before=168, is_active=True)
    old = _as_before(rule, hours_before=168, is_active=False, types=[infusion])
    MIGRATION.timing_to_automations(_RulesOfBefore([old]), None)

    automation = rule_automation(rule)
    assert (automation.offset_minutes, automation.enabled) == (-168 * 60, False)
    assert automation_type_ids(automation) == [str(infusion.pk)]
    assert rule.is_active is False
