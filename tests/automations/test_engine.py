"""The engine: events start runs once, conditions, loops, waits, retries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import StaffAlert
from automations import engine
from automations.events import publish
from automations.models import AutomationRun, Event
from scheduling import services as scheduling
from tests.automations.factories import task_automation
from tests.scheduling.factories import local, next_weekday

pytestmark = pytest.mark.django_db


def _book(clinic, actor, hour=9, patient=None):
    return scheduling.appointment_book(
        patient=patient or clinic["patient"],
        appointment_type=clinic["type"],
        provider=clinic["provider"],
        location=clinic["location"],
        start=local(next_weekday(), hour),
        actor=actor,
    )


def test_booking_publishes_an_event_in_its_transaction(clinic, admin_user):
    appointment = _book(clinic, admin_user)
    event = Event.objects.get(kind="appointment.booked")
    assert event.patient == clinic["patient"]
    assert event.subject_id == str(appointment.pk)
    assert event.facts["appointment_type"] == str(clinic["type"].pk)
    assert event.facts["first_visit"] is True
    assert event.processed_at is None


def test_booking_runs_its_automation_and_creates_the_task(clinic, admin_user, drain):
    automation = task_automation("appointment.booked", title="Welcome {patient}")
    task_automation("appointment.cancelled")
    _book(clinic, admin_user)
    drain()
    run = AutomationRun.objects.get()
    assert run.automation == automation
    assert run.status == AutomationRun.Status.DONE
    task = StaffAlert.objects.get(kind="task")
    assert task.title == f"Welcome {clinic['patient'].given_name}"
    assert task.assigned_role == "Front desk"
    assert task.due_at is not None


def test_same_event_delivered_twice_runs_once(clinic, admin_user):
    task_automation("appointment.booked")
    _book(clinic, admin_user)
    event = Event.objects.get()
    first = engine.event_process(event_id=event.pk)
    event.processed_at = None  # delivered again, as if never marked
    event.save()
    second = engine.event_process(event_id=event.pk)
    assert len(first) == 1 and second == []
    assert AutomationRun.objects.count() == 1
    assert StaffAlert.objects.filter(kind="task").count() == 1


def test_publish_never_raises_into_the_caller(clinic, admin_user, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("facts exploded")

    monkeypatch.setattr("automations.events.facts_for", broken)
    appointment = _book(clinic, admin_user)
    assert appointment.pk is not None
    assert not Event.objects.exists()


def test_disabled_automation_runs_nothing(clinic, admin_user, drain):
    task_automation("appointment.booked", enabled=False)
    _book(clinic, admin_user)
    drain()
    assert not AutomationRun.objects.exists()
    assert Event.objects.get().processed_at is not None


def test_publish_outside_a_transaction(clinic):
    event = publish("patient.replied", patient=clinic["patient"])
    assert event.pk and event.facts["patient_id"] == clinic["patient"].pk
    assert timezone.now() - event.occurred_at < timedelta(minutes=1)
