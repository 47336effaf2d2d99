import factory

from automations.models import Action, Automation, Condition, RecallList
from tests.clinic.factories import UserFactory


class AutomationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Automation

    name = factory.Sequence(lambda n: f"Automation {n}")
    trigger = "appointment.booked"
    owner = factory.SubFactory(UserFactory, role="Administrator")
    enabled = True
    enabled_at = factory.LazyFunction(lambda: __import__("django").utils.timezone.now())


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition

    automation = factory.SubFactory(AutomationFactory)
    field = Condition.Field.FIRST_VISIT
    values = ["yes"]


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    automation = factory.SubFactory(AutomationFactory)
    position = factory.Sequence(int)
    kind = Action.Kind.CREATE_TASK
    role = "Front desk"
    title = "Call {patient_name}"
    due_in_minutes = 60


class RecallListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecallList
        django_get_or_create = ["name"]

    name = "Annual visit"


def task_automation(trigger: str, title: str = "Call {patient_name}", **kwargs):
    automation = AutomationFactory(trigger=trigger, **kwargs)
    ActionFactory(automation=automation, position=0, title=title)
    return automation
