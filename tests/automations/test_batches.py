"""Events processed many to a transaction: each automation still runs once per
event, with its outcome, history and task, whatever runs twice or at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from alerts.models import StaffAlert
from automations import engine
from automations.events import publish
from automations.models import ActionOutcome, AutomationRun, Event
from tests.automations.factories import ActionFactory, AutomationFactory
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _events(count: int) -> list[int]:
    return [
        publish("patient.registered", patient=PatientFactory()).pk for _ in range(count)
    ]


def _task_automations(count: int) -> None:
    for number in range(count):
        automation = AutomationFactory(trigger="patient.registered", name=f"A{number}")
        ActionFactory(automation=automation, position=0, title=f"Task {number}")
        ActionFactory(automation=automation, position=1, title=f"Then {number}")


def test_a_batch_runs_every_automation_once_per_event_with_outcomes_and_history():
    _task_automations(2)
    ids = _events(3)
    started = engine.events_process(event_ids=ids)
    assert len(started) == 6
    runs = AutomationRun.objects.all()
    assert {run.status for run in runs} == {AutomationRun.Status.DONE}
    assert {(run.next_position, run.history.count()) for run in runs} == {(2, 2)}
    assert ActionOutcome.objects.filter(status="done").count() == 12
    tasks = StaffAlert.objects.filter(kind="task")
    assert tasks.count() == 12 and all(task.history.count() == 1 for task in tasks)
    made = set(ActionOutcome.objects.values_list("made_id", flat=True))
    assert made == {str(pk) for pk in tasks.values_list("pk", flat=True)}
    assert not Event.objects.filter(processed_at__isnull=True).exists()
    assert engine.events_process(event_ids=ids) == []  # processed: nothing again


def test_the_queries_of_a_batch_do_not_grow_with_its_events(
    django_assert_max_num_queries,
):
    _task_automations(3)
    ids = _events(20)
    with django_assert_max_num_queries(30):
        started = engine.events_process(event_ids=ids)
    assert len(started) == 60
    assert StaffAlert.objects.filter(kind="task").count() == 120


def test_an_event_delivered_again_in_a_batch_runs_nothing_twice_and_the_rest_run():
    _task_automations(1)
    first, *others = _events(3)
    engine.event_process(event_id=first)
    event = Event.objects.get(pk=first)
    event.processed_at = None  # delivered again, as if never marked
    event.save()
    started = engine.events_process(event_ids=[first, *others])
    assert len(started) == 2
    assert AutomationRun.objects.filter(event_id=first).count() == 1
    assert StaffAlert.objects.filter(kind="task").count() == 6


def test_a_wait_in_a_batch_leaves_the_run_waiting_after_its_first_actions():
    automation = AutomationFactory(trigger="patient.registered")
    ActionFactory(automation=automation, position=0, title="Before")
    ActionFactory(automation=automation, position=1, kind="wait", wait_minutes=60)
    ActionFactory(automation=automation, position=2, title="After")
    engine.events_process(event_ids=_events(2))
    assert {r.status for r in AutomationRun.objects.all()} == {"waiting"}
    assert set(StaffAlert.objects.values_list("title", flat=True)) == {"Before"}
    assert ActionOutcome.objects.filter(kind="wait").count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_event_processed_twice_at_once_runs_once():
    _task_automations(1)
    [event_id] = _events(1)
    start = threading.Barrier(2)

    def deliver(_copy):
        start.wait()
        try:
            return engine.event_process(event_id=event_id)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        started = list(pool.map(deliver, range(2)))
    assert sorted(len(runs) for runs in started) == [0, 1]
    engine.event_process(event_id=event_id)  # and once more, afterwards
    assert AutomationRun.objects.count() == 1
    assert StaffAlert.objects.filter(kind="task").count() == 2


def test_the_database_refuses_a_second_run_of_an_automation_on_an_event():
    from django.db import IntegrityError, transaction

    _task_automations(1)
    [event_id] = _events(1)
    [run_id] = engine.event_process(event_id=event_id)
    run = AutomationRun.objects.get(pk=run_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        AutomationRun.objects.create(automation=run.automation, event=run.event)
