"""The built-in no-show task steps aside for an automation that makes the same task."""

import pytest

from alerts.models import StaffAlert
from automations.models import Condition
from scheduling import services as scheduling
from tests.automations.factories import ActionFactory, ConditionFactory, task_automation
from tests.scheduling.factories import local, next_weekday, reach_visit

pytestmark = pytest.mark.django_db


def _no_show(clinic, actor):
    appointment = scheduling.appointment_book(
        patient=clinic["patient"],
        appointment_type=clinic["type"],
        provider=clinic["provider"],
        location=clinic["location"],
        start=local(next_weekday(), 9),
        actor=actor,
    )
    appointment = reach_visit(appointment, minutes_ago=30)
    scheduling.appointment_mark_no_show(appointment=appointment, actor=actor)
    return appointment


def _tasks() -> list[tuple[str, str]]:
    return sorted(StaffAlert.objects.values_list("kind", "title"))


def test_without_an_automation_the_built_in_task_is_raised(clinic, admin_user, drain):
    _no_show(clinic, admin_user)
    drain()
    assert [kind for kind, _title in _tasks()] == ["no_show_follow_up"]


def test_an_enabled_front_desk_task_automation_replaces_the_built_in_task(
    clinic, admin_user, drain
):
    task_automation("appointment.no_show", title="Call {patient_name} to rebook")
    _no_show(clinic, admin_user)
    drain()
    patient = clinic["patient"]
    assert _tasks() == [
        ("task", f"Call {patient.given_name} {patient.family_name} to rebook")
    ]


def test_a_disabled_automation_leaves_the_built_in_task(clinic, admin_user, drain):
    task_automation("appointment.no_show", enabled=False)
    _no_show(clinic, admin_user)
    drain()
    assert [kind for kind, _title in _tasks()] == ["no_show_follow_up"]


def test_a_task_for_another_role_leaves_the_built_in_task(clinic, admin_user, drain):
    automation = task_automation("appointment.no_show", title="Nurse call")
    action = automation.actions.get()
    action.role = "Nurse"
    action.save()
    _no_show(clinic, admin_user)
    drain()
    assert sorted(kind for kind, _title in _tasks()) == ["no_show_follow_up", "task"]


def test_an_automation_whose_conditions_do_not_hold_leaves_the_built_in_task(
    clinic, admin_user, drain
):
    automation = task_automation("appointment.no_show")
    # Nobody speaks language "xx": the condition never holds.
    ConditionFactory(
        automation=automation, field=Condition.Field.LANGUAGE, values=["xx"]
    )
    _no_show(clinic, admin_user)
    drain()
    assert [kind for kind, _title in _tasks()] == ["no_show_follow_up"]


def test_a_message_only_automation_leaves_the_built_in_task(clinic, admin_user, drain):
    automation = task_automation("appointment.no_show")
    automation.actions.all().delete()
    ActionFactory(
        automation=automation,
        kind="send_message",
        channel="sms",
        role="",
        title="",
        body="We missed you",
    )
    _no_show(clinic, admin_user)
    drain()
    assert [kind for kind, _title in _tasks()] == ["no_show_follow_up"]
