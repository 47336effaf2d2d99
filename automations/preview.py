"""Preview: each message an automation sends, rendered for a sample patient.

The sample is the patient (and visit) the administrator chose, else the patient of
the most recent event the automation's conditions accept, else the most recent
visit. A reminder text shows every language variant, marked where it is the one
this patient would get; SMS texts carry their segment count. Nothing is sent.
"""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import default_language
from alerts.sms_segments import Segments, sms_segments
from automations.conditions import conditions_match
from automations.engine import event_subject
from automations.facts import facts_for
from automations.models import Action, Automation, Event, Trigger
from automations.reminders.rules import pick_variant
from automations.sources import is_visit, visit_model
from automations.texts import TemplateError, render, text_context

LOOK_BACK = 200  # recent events / visits tried for a matching sample

CHOSEN = _("chosen")
MATCHING_EVENT = _("the most recent event it would act on")
MATCHING_VISIT = _("the most recent visit it would act on")
RECENT_VISIT = _("the most recent visit (no event matched)")
NO_VISIT = _("This reminder text needs a visit: choose an appointment.")


@dataclass
class Variant:
    language: str  # "" for the default text
    subject: str
    body: str
    segments: Segments | None = None
    chosen: bool = False  # the text this patient would get


@dataclass
class MessagePreview:
    action: Action
    variants: list[Variant] = field(default_factory=list)
    note: str = ""


@dataclass
class Preview:
    patient: object
    visit: object
    source: str
    messages: list[MessagePreview] = field(default_factory=list)


def _recent_visits():
    return (
        visit_model()
        .objects.filter(start__lte=timezone.now())
        .select_related("patient", "provider", "location", "appointment_type")
        .order_by("-start", "-pk")
    )


def sample_for(automation: Automation, *, patient=None, visit=None):
    """(patient, subject, source) of the sample the preview renders for."""
    if visit is not None:
        return visit.patient, visit, CHOSEN
    if patient is not None:
        latest = _recent_visits().filter(patient=patient).first()
        return patient, latest, CHOSEN
    conditions = list(automation.conditions.all())
    if automation.trigger == Trigger.APPOINTMENT_TIME:
        for appointment in _recent_visits()[:LOOK_BACK]:
            facts = facts_for(
                patient=appointment.patient, subject=appointment, at=appointment.start
            )
            if conditions_match(automation, facts, conditions):
                return appointment.patient, appointment, MATCHING_VISIT
    elif automation.trigger != Trigger.DAILY:
        events = (
            Event.objects.filter(kind=automation.trigger, patient__isnull=False)
            .select_related("patient")
            .order_by("-occurred_at", "-pk")
        )
        for event in events[:LOOK_BACK]:
            if conditions_match(automation, event.facts, conditions):
                return event.patient, event_subject(event), MATCHING_EVENT
    latest = _recent_visits().first()
    if latest is not None:
        return latest.patient, latest, RECENT_VISIT
    return None, None, RECENT_VISIT


def _chosen_language(language: str, codes: list[str]) -> str:
    """The variant code a patient of ``language`` gets ("" for the default)."""
    _language, _subject, code = pick_variant(
        language=language,
        default=("", ""),
        variants={code: ("", code) for code in codes},
    )
    return code


def _rule_variants(rule, patient, visit, language: str) -> list[Variant]:
    """Each text of the rule, each wholly in its own language (the default text
    in the clinic's)."""
    texts = [("", rule.subject, rule.body)] + [
        (v.language, v.subject or rule.subject, v.body) for v in rule.variants.all()
    ]
    chosen = _chosen_language(language, [code for code, _s, _b in texts if code])
    found = []
    for code, subject, body in texts:
        context = text_context(
            patient=patient, visit=visit, language=code or default_language()
        )
        found.append(
            Variant(
                code,
                render(subject, context),
                render(body, context),
                chosen=code == chosen,
            )
        )
    return found


def automation_preview(*, automation: Automation, patient=None, visit=None) -> Preview:
    patient, subject, source = sample_for(automation, patient=patient, visit=visit)
    preview = Preview(patient, subject if is_visit(subject) else None, source)
    actions = automation.actions.filter(kind=Action.Kind.SEND_MESSAGE).select_related(
        "message_rule"
    )
    for action in actions:
        message = MessagePreview(action)
        if action.message_rule is not None:
            if preview.visit is None:
                message.note = NO_VISIT
            else:
                language = patient.preferred_language if patient else ""
                message.variants = _rule_variants(
                    action.message_rule, patient, preview.visit, language
                )
        else:
            context = text_context(
                patient=patient, visit=preview.visit, language=default_language()
            )
            try:
                message.variants = [
                    Variant(
                        "",
                        render(action.title, context),
                        render(action.body, context),
                        chosen=True,
                    )
                ]
            except TemplateError as error:
                message.note = str(error)
        if action.channel == Action.Channel.SMS:
            for variant in message.variants:
                variant.segments = sms_segments(variant.body)
        preview.messages.append(message)
    return preview
