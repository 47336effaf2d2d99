"""What selfservice lends to the apps below it, registered in
``SelfserviceConfig.ready``: the ``{link}`` and ``{intake_link}`` values of a
visit's texts (``automations.texts``), its starters, and the "intake received"
note on the visit's page (``scheduling.visit_hooks``)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from automations import starters, texts
from automations.models import Action, Condition, Trigger
from scheduling import visit_hooks
from selfservice import links
from selfservice.models import Intake

K = Action.Kind
SAMPLE_LINK = "https://clinic.example.org/my/visit/…"

AUTOMATION_STARTERS = [
    {
        "slug": "booking-confirmation",
        "name": gettext_lazy("Booking confirmation with the visit's link"),
        "description": gettext_lazy(
            "When a visit is booked, the patient gets a text with its time and "
            "the link to confirm, cancel or pick another time."
        ),
        "trigger": Trigger.APPOINTMENT_BOOKED,
        "actions": [
            {
                "kind": K.SEND_MESSAGE,
                "channel": "sms",
                "body": "{clinic}: your {appointment_type} with {provider} is booked "
                "for {date_time} at {location}. Confirm, cancel or change it: {link}",
            }
        ],
    },
    {
        "slug": "intake-missing-48h",
        "name": gettext_lazy("No intake 48 h before a first visit: text the link"),
        "description": gettext_lazy(
            "When a new patient has not filled in the intake form 48 hours before "
            "the first visit, text them the link again."
        ),
        "trigger": Trigger.INTAKE_MISSING,
        "conditions": [{"field": Condition.Field.FIRST_VISIT, "values": ["yes"]}],
        "actions": [
            {
                "kind": K.SEND_MESSAGE,
                "channel": "sms",
                "body": "Hi {first_name}, {clinic} here: please fill in your intake "
                "form before your visit on {date_time}: {intake_link}",
            }
        ],
    },
]


def visit_values(visit) -> dict[str, str]:
    """A real visit's links; a preview's made-up visit shows a sample."""
    if getattr(visit, "pk", None) is None:
        return {"link": SAMPLE_LINK, "intake_link": SAMPLE_LINK}
    return {
        "link": links.link_for(visit),
        "intake_link": links.link_for(visit, purpose=links.INTAKE),
    }


def intake_note(appointment) -> list[tuple[str, str]]:
    intake = Intake.objects.filter(appointment=appointment).first()
    if intake is None:
        return []
    url = reverse("selfservice:intake-review", args=[intake.pk])
    if intake.status == Intake.Status.RECEIVED:
        return [(_("Intake received: to review"), url)]
    return [(_("Intake received and reviewed"), url)]


def register() -> None:
    if visit_values not in texts.VISIT_VALUES:
        texts.VISIT_VALUES.append(visit_values)
    starters.starters_add(AUTOMATION_STARTERS)
    visit_hooks.on_note(intake_note)
