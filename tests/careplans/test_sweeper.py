"""Plan events reach automations once, even from two sweeps at the same moment;
the starters act on them and a dry run sees them."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from alerts.models import Notification, StaffAlert
from automations import engine
from automations.dryrun import dry_run
from automations.models import AutomationRun, Event, RecallEntry, Trigger
from automations.starters import BY_SLUG, build_starter
from careplans.sweepers import careplans_sweep
from tests.careplans.factories import catalogue, diabetic_plan
from tests.registration.factories import PatientFactory


def _switched_on(slug, admin):
    automation = build_starter(BY_SLUG[slug], actor=admin)
    automation.enabled = True
    automation.enabled_at = timezone.now() - timedelta(days=1)
    automation.save()
    return automation


def _process_all():
    for event_id in Event.objects.filter(processed_at__isnull=True).values_list(
        "pk", flat=True
    ):
        engine.event_process(event_id=event_id)


@pytest.mark.django_db(transaction=True)
def test_an_overdue_activity_fires_its_automation_once_from_two_sweeps_at_once(
    admin_user,
):
    assert connection.vendor == "postgresql"
    catalogue()
    automation = _switched_on("diabetic-hba1c-overdue", admin_user)
    plan = diabetic_plan(
        days_ago=120,
        patient=PatientFactory(sms_consent=True, phone_mobile="+15555550123"),
    )
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            barrier.wait(timeout=10)
            careplans_sweep(timezone.now())
        except Exception as error:  # noqa: BLE001 - the outcome is what is tested
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    careplans_sweep(timezone.now())  # and once more, later
    _process_all()

    assert errors == []
    overdue = Event.objects.filter(kind=Trigger.PLAN_ACTIVITY_OVERDUE)
    # HbA1c (3 months), the follow-up visit (12 weeks): each once.
    assert overdue.count() == 2
    problems = list(overdue.values_list("facts__problem", flat=True))
    assert problems == [["E11", "E11.9"], ["E11", "E11.9"]]
    # Only the HbA1c's matches the starter's conditions (diabetes, A1C).
    assert AutomationRun.objects.filter(automation=automation).count() == 1
    entry = RecallEntry.objects.get(patient=plan.patient)
    assert entry.recall_list.name == "Diabetes check due"
    text = Notification.objects.get(patient=plan.patient)
    assert "diabetes check" in text.body


@pytest.mark.django_db
def test_a_plan_for_another_problem_does_not_match_the_diabetic_condition(
    admin_user, make_user
):
    _switched_on("diabetic-hba1c-overdue", admin_user)
    plan = diabetic_plan(days_ago=120)
    plan.problem.code = "I10"
    plan.problem.save()
    careplans_sweep(timezone.now())
    _process_all()
    assert Event.objects.filter(kind=Trigger.PLAN_ACTIVITY_OVERDUE).count() == 2
    assert AutomationRun.objects.count() == 0


@pytest.mark.django_db
def test_a_review_due_becomes_a_clinician_task_and_a_dry_run_sees_it(admin_user):
    automation = _switched_on("plan-review-task", admin_user)
    plan = diabetic_plan(days_ago=180)  # review after 182 days: within the week
    careplans_sweep(timezone.now())
    _process_all()
    task = StaffAlert.objects.get(assigned_role="Clinician")
    assert task.title == (
        f"Review the care plan of {plan.patient.given_name} "
        f"{plan.patient.family_name} ({plan.patient.mrn})"
    )
    result = dry_run(automation=automation)
    assert (result.events, result.matched) == (1, 1)
