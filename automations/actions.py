"""What each kind of action would do (``plan``) and doing it (``execute``).

The live run and the dry run share ``plan``: the dry run stops there, so it shows
exactly what the live run would do, and sends nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.quiet_hours import send_time
from alerts.services import alert_raise, default_language, notification_create
from alerts.texting import number_reach
from automations.models import Action, AutomationRun, RecallEntry
from automations.reminders.rules import rule_text
from automations.sources import is_visit
from automations.texts import TemplateError, render, text_context
from registration.models import PatientContact
from registration.selectors import contacts_permitted, coverage_primary
from registration.services import eligibility_check_request

K = Action.Kind


@dataclass
class Step:
    """One action as it would be (or was) done for one event."""

    kind: str
    label: str
    text: str = ""  # task title / message body, rendered
    to: str = ""  # role, user, phone or e-mail
    at: datetime | None = None  # when it happens (after earlier waits)
    due_at: datetime | None = None
    skip: str = ""  # why it would be skipped
    extra: dict = field(default_factory=dict)

    @property
    def describes(self) -> str:
        parts = [self.label]
        if self.to:
            parts.append(_("to %(to)s") % {"to": self.to})
        if self.text:
            parts.append(f"“{self.text}”")
        if self.skip:
            parts.append(_("(skipped: %(why)s)") % {"why": self.skip})
        elif self.extra.get("note"):
            parts.append(f"({self.extra['note']})")
        return " ".join(parts)


@dataclass
class Context:
    """What the actions of one run see: the event, its patient and subject."""

    event: object
    patient: object
    subject: object
    at: datetime

    @property
    def texts(self) -> dict:
        """Values of a text with no language variants: the clinic's language."""
        return text_context(
            patient=self.patient,
            visit=self.subject if is_visit(self.subject) else None,
            language=default_language(),
        )


def _assignee(action: Action) -> str:
    if action.user_id:
        return action.user.get_username()
    return action.role


def _plan_message(action: Action, context: Context, label: str) -> Step:
    """The text in the patient's language (a reminder rule's variants and quiet
    hours when the action has one); consent is the sender's to check at send time."""
    patient, visit = context.patient, context.subject
    step = Step(K.SEND_MESSAGE, label, at=context.at)
    if patient is None:
        step.skip = _("no patient")
        return step
    rule = action.message_rule
    if rule is not None and is_visit(visit):
        offset = action.automation.offset_minutes or 0
        step.at = send_time(
            start=visit.start,
            hours_before=-offset / 60,
            quiet_start=rule.quiet_start,
            quiet_end=rule.quiet_end,
            now=visit.start - timedelta(days=3650),
        )
        text = rule_text(
            rule, patient=patient, visit=visit, language=patient.preferred_language
        )
        step.text = text.body
        step.extra.update(subject=text.subject, language=text.language)
        if step.at is None:
            step.at = context.at
            step.skip = _("too close to the visit")
    else:
        try:
            step.text = render(action.body, context.texts)
            step.extra["subject"] = render(action.title, context.texts)
        except TemplateError as error:
            step.skip = str(error)  # never sent with its placeholders as typed
    if action.channel == Action.Channel.SMS:
        step.to = str(patient.phone_mobile or "")
        if not patient.phone_mobile and not patient.email:
            step.skip = step.skip or _("no mobile number or e-mail")
        elif not number_reach(patient.phone_mobile).allowed:
            step.extra["note"] = _("no consent to texts: e-mail or nothing")
    else:
        step.to = patient.email
        if not patient.email:
            step.skip = step.skip or _("no e-mail address")
    return step


def _results_notice_to_contacts(step: Step, context: Context) -> None:
    """A message about a result also goes to each contact who receives "results
    are ready" notices: the same text, which the vocabulary keeps free of values
    (it has no placeholder for one)."""
    for contact in contacts_permitted(
        patient=context.patient, permission=PatientContact.Permission.RESULTS
    ):
        notification_create(
            patient=context.patient,
            contact=contact,
            purpose=PatientContact.Permission.RESULTS,
            channel=Action.Channel.SMS
            if contact.phone_mobile
            else Action.Channel.EMAIL,
            body=step.text,
            subject=step.extra.get("subject", ""),
            language=step.extra.get("language", ""),
            scheduled_for=max(step.at or timezone.now(), timezone.now()),
        )


def plan(action: Action, context: Context) -> Step:
    kind = action.kind
    label = str(K(kind).label)
    if kind in (K.CREATE_TASK, K.RAISE_ALERT):
        due = (
            context.at + timedelta(minutes=action.due_in_minutes)
            if action.due_in_minutes is not None
            else None
        )
        step = Step(kind, label, to=_assignee(action), at=context.at, due_at=due)
        try:
            step.text = render(action.title, context.texts)
        except TemplateError as error:
            step.skip = str(error)
        return step
    if kind == K.SEND_MESSAGE:
        return _plan_message(action, context, label)
    if kind == K.CHECK_ELIGIBILITY:
        coverage = (
            None
            if context.patient is None
            else coverage_primary(
                patient=context.patient, on=timezone.localdate(context.at)
            )
        )
        step = Step(kind, label, at=context.at)
        if coverage is None:
            step.skip = _("no active coverage")
        else:
            step.to = coverage.payer.name
            step.extra["coverage"] = coverage
        return step
    if kind == K.ADD_TO_RECALL:
        step = Step(kind, label, to=str(action.recall_list), at=context.at)
        if context.patient is None:
            step.skip = _("no patient")
        step.due_at = context.at + timedelta(days=action.recall_in_days or 0)
        return step
    if kind == K.WAIT:
        return Step(
            kind,
            label,
            text=_("%(minutes)s min") % {"minutes": action.wait_minutes},
            at=context.at,
            due_at=context.at + timedelta(minutes=action.wait_minutes or 0),
        )
    raise ValueError(f"Unknown action {kind}")


# Given a ``raise_alert`` that only builds the alert (the engine raises a batch's
# alerts together), these kinds write no row.
ALERT_KINDS = (K.CREATE_TASK, K.RAISE_ALERT)


def execute(
    action: Action,
    step: Step,
    *,
    run: AutomationRun,
    position: int,
    context: Context,
    raise_alert=None,
):
    """Do the planned step; returns (detail, made record or None). Raises on failure.

    ``raise_alert`` stands in for ``alerts.services.alert_raise``."""
    context_patient = context.patient
    subject = context.subject
    if step.kind in ALERT_KINDS:
        alert = (raise_alert or alert_raise)(
            kind="task" if step.kind == K.CREATE_TASK else "automation",
            title=step.text or str(run.automation),
            message=_("From the automation “%(name)s”.") % {"name": run.automation},
            patient=context_patient,
            subject=subject,
            role=action.role if not action.user_id else "",
            user=action.user if action.user_id else None,
            key=f"automation:{run.pk}:{position}",
            priority=action.priority,
            due_at=step.due_at,
        )
        return step.describes, alert
    if step.kind == K.SEND_MESSAGE:
        visit = subject if is_visit(subject) else None
        rule = action.message_rule if visit is not None else None
        notification = notification_create(
            patient=context_patient,
            channel=action.channel,
            body=step.text,
            subject=step.extra.get("subject", ""),
            language=step.extra.get("language", ""),
            scheduled_for=max(step.at or timezone.now(), timezone.now()),
            appointment=visit,
            rule=rule,
        )
        if visit is None and run.automation.trigger.startswith("result."):
            _results_notice_to_contacts(step, context)
        return step.describes, notification
    if step.kind == K.CHECK_ELIGIBILITY:
        check = eligibility_check_request(coverage=step.extra["coverage"], actor=None)
        return step.describes, check
    if step.kind == K.ADD_TO_RECALL:
        entry = RecallEntry.objects.filter(
            recall_list=action.recall_list,
            patient=context_patient,
            status=RecallEntry.Status.OPEN,
        ).first()
        if entry is None:
            entry = RecallEntry(
                recall_list=action.recall_list,
                patient=context_patient,
                due_date=timezone.localtime(step.due_at).date(),
                run=run,
            )
            entry._change_reason = f"added by automation {run.automation_id}"
            entry.save()
            return step.describes, entry
        return _("already on the list"), entry
    raise ValueError(f"Cannot execute {step.kind}")
