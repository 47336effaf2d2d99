"""What care plans lend to automations: the choices of the problem and plan
conditions, and two starters. Registered in ``CareplansConfig.ready``; the events
themselves come from ``careplans.sweepers``."""

from django.utils.translation import gettext_lazy as _

from automations import starters as automation_starters
from automations.models import Action, Condition, Trigger
from automations.sources import SOURCES
from careplans.models import PlanActivity, Problem
from careplans.starters import STARTERS
from diagnostics.models import TestDefinition

K = Action.Kind

AUTOMATION_STARTERS = [
    {
        "slug": "diabetic-hba1c-overdue",
        "name": _("Overdue diabetic HbA1c: recall and text"),
        "description": _(
            "When a diabetic patient's HbA1c (every three months in the plan) is "
            "overdue, they go on the diabetes recall list and get a text asking "
            "them to book."
        ),
        "trigger": Trigger.PLAN_ACTIVITY_OVERDUE,
        "conditions": [
            {"field": Condition.Field.PROBLEM, "values": ["E11"]},
            {"field": Condition.Field.ACTIVITY, "values": ["A1C"]},
        ],
        "actions": [
            {
                "kind": K.ADD_TO_RECALL,
                "recall_list": "Diabetes check due",
                "recall_in_days": 14,
            },
            {
                "kind": K.SEND_MESSAGE,
                "channel": "sms",
                "body": "Hi {first_name}, this is {clinic}: your diabetes check "
                "(HbA1c blood test) is due. Please call us to book a time.",
            },
        ],
    },
    {
        "slug": "plan-review-task",
        "name": _("Care-plan review due: clinician task"),
        "description": _(
            "A week before a care plan's review date, the clinicians get a task "
            "to review it."
        ),
        "trigger": Trigger.PLAN_REVIEW_DUE,
        "actions": [
            {
                "kind": K.CREATE_TASK,
                "role": "Clinician",
                "title": "Review the care plan of {full_name} ({mrn})",
                "due_in_minutes": 7 * 24 * 60,
            }
        ],
    },
]


def problem_choices() -> list[tuple[str, str]]:
    """The categories of the starters and of every active problem."""
    named = {c: str(s.title) for s in STARTERS for c in s.categories}
    for code, words in (
        Problem.objects.filter(status=Problem.Status.ACTIVE)
        .values_list("code", "description")
        .order_by("code")
    ):
        named.setdefault(code[:3], words)
    return [(code, f"{code} {words}") for code, words in sorted(named.items())]


def activity_choices() -> list[tuple[str, str]]:
    """The kinds of activity, then each orderable test by its short code."""
    tests = TestDefinition.objects.filter(active=True).order_by("name")
    return [
        *((kind, str(label)) for kind, label in PlanActivity.Kind.choices),
        *((code, f"Test: {name}") for code, name in tests.values_list("code", "name")),
    ]


def register() -> None:
    F = Condition.Field
    SOURCES.choices[F.PROBLEM] = problem_choices
    SOURCES.choices[F.ACTIVITY] = activity_choices
    SOURCES.choices[F.PLAN] = lambda: [(s.slug, str(s.title)) for s in STARTERS]
    automation_starters.starters_add(AUTOMATION_STARTERS)
