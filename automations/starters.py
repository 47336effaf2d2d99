"""The library of starters an administrator copies and adapts (copies start off)."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from alerts.models import ReminderRule
from automations.models import Action, Automation, Condition, RecallList, Trigger
from automations.sources import choices_for

K = Action.Kind
T = Trigger

# A reminder's text is a reminder rule (alerts): its names, language variants and
# quiet hours.
REMINDER_TEXT = (
    "Hi {first_name}, this is {clinic}: your {appointment_type} with {provider} is "
    "on {weekday} {date} at {time}, {location}. {reply_instructions}"
)


def _reminder(slug: str, hours: int) -> dict:
    return {
        "slug": slug,
        "name": _("Appointment reminder %(hours)s h before") % {"hours": hours},
        "description": _("A text %(hours)s hours before each visit still expected.")
        % {"hours": hours},
        "trigger": T.APPOINTMENT_TIME,
        "offset_minutes": -hours * 60,
        "actions": [
            {
                "kind": K.SEND_MESSAGE,
                "channel": "sms",
                "body": REMINDER_TEXT,
                "reminder": True,  # the text becomes a reminder rule's message
            }
        ],
    }


STARTERS: list[dict] = [
    _reminder("reminder-72h", 72),
    _reminder("reminder-24h", 24),
    _reminder("reminder-2h", 2),
    {
        "slug": "no-show-follow-up",
        "name": _("No-show follow-up"),
        "description": _(
            "When a visit is marked no-show, the front desk gets a task to call the "
            "patient and rebook within a day."
        ),
        "trigger": T.APPOINTMENT_NO_SHOW,
        "actions": [
            {
                "kind": K.CREATE_TASK,
                "role": "Front desk",
                "title": "Call {full_name} ({mrn}) to rebook the missed "
                "{appointment_type} of {date_time}",
                "due_in_minutes": 24 * 60,
            }
        ],
    },
    {
        "slug": "new-patient-welcome",
        "name": _("New-patient welcome and intake"),
        "description": _(
            "When a new patient's first visit is booked: text them the intake link "
            "and ask the front desk to verify insurance."
        ),
        "trigger": T.APPOINTMENT_BOOKED,
        "conditions": [{"field": Condition.Field.FIRST_VISIT, "values": ["yes"]}],
        "actions": [
            {
                "kind": K.SEND_MESSAGE,
                "channel": "sms",
                "body": "Welcome to {clinic}, {first_name}! Please fill in your intake "
                "form before your visit on {date_time}: {intake_link}",
            },
            {
                "kind": K.CREATE_TASK,
                "role": "Front desk",
                "title": "Verify insurance for new patient {full_name} "
                "(visit {date_time})",
                "due_in_minutes": 24 * 60,
            },
        ],
    },
    {
        "slug": "annual-recall",
        "name": _("Recall for the annual visit"),
        "description": _(
            "After an annual physical, the patient goes on the annual recall list, "
            "due in a year."
        ),
        "trigger": T.APPOINTMENT_COMPLETED,
        "conditions": [
            {"field": Condition.Field.APPOINTMENT_TYPE, "names": ["Annual physical"]}
        ],
        "actions": [
            {
                "kind": K.ADD_TO_RECALL,
                "recall_list": "Annual visit",
                "recall_in_days": 365,
            }
        ],
    },
    {
        "slug": "eligibility-day-before",
        "name": _("Insurance re-check the day before"),
        "description": _("Check each visit's coverage with the payer 24 hours ahead."),
        "trigger": T.APPOINTMENT_TIME,
        "offset_minutes": -24 * 60,
        "actions": [{"kind": K.CHECK_ELIGIBILITY}],
    },
    {
        "slug": "eligibility-failed-task",
        "name": _("Insurance check failed: call the patient"),
        "description": _(
            "A failed or inactive insurance check becomes a front-desk task."
        ),
        "trigger": T.ELIGIBILITY_FAILED,
        "actions": [
            {
                "kind": K.CREATE_TASK,
                "role": "Front desk",
                "title": "Insurance check failed for {full_name} ({mrn}): "
                "ask for current coverage",
                "due_in_minutes": 4 * 60,
            }
        ],
    },
    {
        "slug": "critical-escalation",
        "name": _("Critical result escalation"),
        "description": _(
            "A critical result also alerts the administrator on duty, urgent, so "
            "somebody makes sure the clinician acts."
        ),
        "trigger": T.RESULT_CRITICAL,
        "actions": [
            {
                "kind": K.RAISE_ALERT,
                "role": "Administrator",
                "priority": 40,
                "title": "Critical result for {full_name} ({mrn}): check it is "
                "acted on",
                "due_in_minutes": 30,
            }
        ],
    },
    {
        "slug": "denied-claim-task",
        "name": _("Denied claim: task for billing"),
        "description": _("Each denied claim becomes a billing task due in two days."),
        "trigger": T.CLAIM_DENIED,
        "actions": [
            {
                "kind": K.CREATE_TASK,
                "role": "Billing",
                "title": "Work the denied claim of {full_name} ({mrn})",
                "due_in_minutes": 2 * 24 * 60,
            }
        ],
    },
]

BY_SLUG = {starter["slug"]: starter for starter in STARTERS}


def starters_add(more: list[dict]) -> None:
    """Starters an app above automations lends (from its ``AppConfig.ready``)."""
    for starter in more:
        if starter["slug"] not in BY_SLUG:
            STARTERS.append(starter)
            BY_SLUG[starter["slug"]] = starter


def _condition_values(spec: dict) -> list[str]:
    if "names" not in spec:
        return list(spec.get("values", []))
    names = set(spec["names"])
    return [pk for pk, name in choices_for(spec["field"]) if name in names]


def _reminder_rule(automation: Automation, data: dict) -> ReminderRule:
    """The copy's own reminder message (a rule); when it goes and whether it is on
    are the automation's."""
    rule = ReminderRule(
        name=f"{automation.name} ({automation.pk})"[:120],
        channel=data["channel"],
        body=data["body"],
    )
    rule._change_reason = f"text of automation {automation.pk}"
    rule.save()
    return rule


def build_starter(starter: dict, *, actor, name: str = "") -> Automation:
    with transaction.atomic():
        automation = Automation(
            name=name or str(starter["name"]),
            description=str(starter.get("description", "")),
            trigger=starter["trigger"],
            offset_minutes=starter.get("offset_minutes"),
            owner=actor,
            starter=starter["slug"],
        )
        automation._change_reason = f"copied from starter {starter['slug']}"
        automation.save()
        for spec in starter.get("conditions", []):
            Condition.objects.create(
                automation=automation,
                field=spec["field"],
                operator=spec.get("operator", Condition.Operator.IN),
                values=_condition_values(spec),
                number=spec.get("number"),
            )
        for position, spec in enumerate(starter["actions"]):
            data = dict(spec)
            if data.pop("reminder", False):
                data["message_rule"] = _reminder_rule(automation, data)
                del data["body"]  # the rule's, edited there
            if "recall_list" in data:
                data["recall_list"], _made = RecallList.objects.get_or_create(
                    name=data["recall_list"]
                )
            Action.objects.create(automation=automation, position=position, **data)
    return automation
