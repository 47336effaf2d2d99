"""Which reminders a visit gets, and each one's text written wholly in one
language. Reads only (the outbox writes are in ``automations.reminders.sync``)."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from alerts.models import ReminderRule, ReminderVariant
from alerts.services import default_language
from automations.conditions import conditions_match
from automations.facts import facts_for
from automations.models import Action, Automation, Trigger
from automations.texts import base_language, render, text_context
from clinic.languages import language_normalise

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


@dataclass(frozen=True)
class Reminder:
    """A rule to write for a visit, ``minutes_before`` its start (its automation's
    offset: the one place the timing lives)."""

    rule: ReminderRule
    minutes_before: int

    @property
    def hours_before(self) -> float:
        return self.minutes_before / 60


def reminders_for(*, appointment) -> list[Reminder]:
    """The reminders of the enabled automations ("N hours before the appointment")
    whose conditions hold for this visit, furthest ahead first."""
    actions = Action.objects.filter(
        kind=K.SEND_MESSAGE, message_rule__isnull=False
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
            Prefetch(
                "message_actions__message_rule__variants",
                queryset=ReminderVariant.objects.all(),
            ),
        )
    )
    if not automations:
        return []
    facts = facts_for(
        patient=appointment.patient, subject=appointment, at=timezone.now()
    )
    found: dict[int, Reminder] = {}
    for automation in automations:
        if not conditions_match(automation, facts):
            continue
        for action in automation.message_actions:
            found[action.message_rule_id] = Reminder(
                action.message_rule, -automation.offset_minutes
            )
    return sorted(found.values(), key=lambda r: (-r.minutes_before, r.rule.pk))


def pick_variant(
    *, language: str, default: tuple[str, str], variants: dict[str, tuple[str, str]]
) -> tuple[str, str, str]:
    """(language, subject, body) for a patient preferring ``language``: the exact
    variant, else the one of the language it names (``es`` for ``es-MX`` or
    "Spanish", through ``clinic.languages.language_normalise``), else the rule's
    default text, in the clinic's default language."""
    lowered = {code.strip().lower(): (code, text) for code, text in variants.items()}
    wanted = (language or "").strip().lower().replace("_", "-")
    code = language_normalise(language)
    for key in (wanted, code):
        if key and key in lowered:
            found, (subject, body) = lowered[key]
            return found, subject, body
    if code:
        for key in sorted(lowered):
            if base_language(key) == code:
                found, (subject, body) = lowered[key]
                return found, subject, body
    return default_language(), *default


@dataclass(frozen=True)
class Text:
    """A message as sent: its language, subject and body."""

    language: str
    subject: str
    body: str


def rule_text(rule, *, patient, visit, language: str) -> Text:
    """A rule's text for a visit, wholly in one language: the variant chosen for
    ``language`` with dates, times and words in that variant's language. Reads the
    rule's ``variants`` (prefetched by the caller)."""
    variants = {v.language: (v.subject, v.body) for v in rule.variants.all()}
    chosen, subject, body = pick_variant(
        language=language, default=(rule.subject, rule.body), variants=variants
    )
    context = text_context(patient=patient, visit=visit, language=chosen)
    return Text(chosen, render(subject or rule.subject, context), render(body, context))
