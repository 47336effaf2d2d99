"""Reminder rules edited: the message (``alerts.ReminderRule`` and its language
variants) and its automation ("N hours before the appointment", on or off, for
which appointment types) saved together, in one transaction."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import ReminderRule, ReminderVariant
from automations.models import Action, Automation, Condition, Trigger
from automations.reminders.jobs import (
    reminders_backfill_later,
    reminders_refresh_later,
)
from automations.sources import choices_for
from automations.texts import TemplateError, check_text

K = Action.Kind
F = Condition.Field
FOLLOWS = "follows its reminder rule"


def rule_automation(rule: ReminderRule) -> Automation | None:
    """The automation whose message the rule is (the first, if copied)."""
    action = (
        Action.objects.select_related("automation")
        .filter(message_rule=rule)
        .order_by("pk")
        .first()
    )
    return action.automation if action is not None else None


def automation_type_ids(automation: Automation | None) -> list[str]:
    """The appointment types an automation is limited to ([] = every type)."""
    if automation is None:
        return []
    return [
        str(value)
        for condition in automation.conditions.all()
        if condition.field == F.APPOINTMENT_TYPE
        and condition.operator == Condition.Operator.IN
        for value in condition.values
    ]


def hours_before(automation: Automation | None) -> float | int | None:
    if automation is None or not automation.offset_minutes:
        return None
    hours = -automation.offset_minutes / 60
    return int(hours) if hours == int(hours) else hours


@dataclass
class RuleRow:
    """A rule as the list shows it, its timing and types from its automation."""

    rule: ReminderRule
    automation: Automation | None
    hours_before: float | int | None
    is_active: bool
    types: list[str]


def reminder_rule_rows() -> list[RuleRow]:
    """Every reminder rule with its automation (a few queries, whatever the
    count), furthest ahead first."""
    actions = Action.objects.select_related("automation").prefetch_related(
        "automation__conditions"
    )
    rules = ReminderRule.objects.prefetch_related(
        "variants", Prefetch("automation_actions", queryset=actions)
    )
    names = dict(choices_for(F.APPOINTMENT_TYPE))
    rows = []
    for rule in rules:
        found = sorted(rule.automation_actions.all(), key=lambda a: a.pk)
        automation = found[0].automation if found else None
        rows.append(
            RuleRow(
                rule=rule,
                automation=automation,
                hours_before=hours_before(automation),
                is_active=bool(automation and automation.enabled),
                types=[names.get(pk, pk) for pk in automation_type_ids(automation)],
            )
        )
    return sorted(rows, key=lambda row: (-(row.hours_before or 0), row.rule.name))


def _check_texts(texts: list[str]) -> None:
    for text in texts:
        try:
            check_text(text)
        except TemplateError as error:
            raise ValidationError({"body": str(error)}) from error


def _variants_save(rule: ReminderRule, variants: list[tuple[str, str, str]]) -> None:
    wanted = {language.strip(): (subject, body) for language, subject, body in variants}
    for variant in rule.variants.all():
        if variant.language not in wanted:
            variant._change_reason = "removed"
            variant.delete()
    for language, (subject, body) in wanted.items():
        variant = rule.variants.filter(language=language).first() or (
            ReminderVariant(rule=rule, language=language)
        )
        if (variant.subject, variant.body) != (subject, body) or not variant.pk:
            variant.subject, variant.body = subject, body
            variant._change_reason = "edited"
            variant.save()


def _types_save(automation: Automation, type_ids: list[str]) -> None:
    for condition in automation.conditions.filter(field=F.APPOINTMENT_TYPE):
        condition._change_reason = FOLLOWS
        condition.delete()
    if type_ids:
        condition = Condition(
            automation=automation,
            field=F.APPOINTMENT_TYPE,
            operator=Condition.Operator.IN,
            values=[str(pk) for pk in type_ids],
        )
        condition._change_reason = FOLLOWS
        condition.save()


def rule_automation_save(
    *,
    rule: ReminderRule,
    hours_before: int,
    is_active: bool,
    appointment_type_ids: list[str],
    actor=None,
) -> Automation:
    """The automation that sends ``rule`` fires ``hours_before`` the visit, is on
    or off and limited to the types given (made on first save). Reminders not yet
    sent follow; switched on, visits already booked get theirs."""
    with transaction.atomic():
        automation = rule_automation(rule)
        was_on = automation is not None and automation.enabled
        if automation is None:
            automation = Automation(
                trigger=Trigger.APPOINTMENT_TIME,
                owner=actor if getattr(actor, "pk", None) else None,
                description=_("Reminder rule: its text is edited on the rule."),
            )
        automation.name = rule.name
        automation.offset_minutes = -hours_before * 60
        if is_active and not was_on:
            automation.enabled_at = timezone.now()
        automation.enabled = is_active
        automation._change_reason = FOLLOWS
        automation.save()
        action = automation.actions.filter(message_rule=rule).first() or Action(
            automation=automation, kind=K.SEND_MESSAGE, position=0, message_rule=rule
        )
        if action.pk is None or action.channel != rule.channel:
            action.channel = rule.channel
            action._change_reason = FOLLOWS
            action.save()
        _types_save(automation, appointment_type_ids)
        if is_active and not was_on:
            reminders_backfill_later(automation=automation)
        else:
            reminders_refresh_later(automation=automation)
    return automation


def reminder_rule_save(
    *,
    rule: ReminderRule,
    hours_before: int,
    is_active: bool,
    appointment_type_ids: list[str],
    variants: list[tuple[str, str, str]],
    actor,
) -> ReminderRule:
    """A reminder rule is the message of one automation: the rule holds the text
    (``automations.texts`` names only), its language variants, channel and quiet
    hours; its automation when it fires, whether it is on and for which types.
    Reminders in the outbox not yet sent follow (a job rewrites or cancels them);
    switched on, visits already booked get theirs."""
    _check_texts(
        [rule.body, rule.subject] + [t for _l, s, b in variants for t in (s, b)]
    )
    rule.full_clean()
    with transaction.atomic():
        rule._change_reason = "created" if rule.pk is None else "edited"
        rule.save()
        _variants_save(rule, variants)
        rule_automation_save(
            rule=rule,
            hours_before=hours_before,
            is_active=is_active,
            appointment_type_ids=appointment_type_ids,
            actor=actor,
        )
    return rule
