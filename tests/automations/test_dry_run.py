"""The dry run sends nothing and decides exactly as the live run then does."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import StaffAlert
from automations.dryrun import dry_run
from automations.models import AutomationRun, Condition, RecallEntry
from automations.services import automation_enable
from scheduling import services as scheduling
from tests.automations.factories import (
    ActionFactory,
    AutomationFactory,
    ConditionFactory,
    RecallListFactory,
)
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentFactory,
    local,
    next_weekday,
    reach_visit,
)

pytestmark = pytest.mark.django_db


def test_dry_run_sends_nothing_and_matches_the_live_run(clinic, admin_user, drain):
    automation = AutomationFactory(
        trigger="appointment.no_show", enabled=False, owner=admin_user
    )
    ActionFactory(
        automation=automation,
        position=0,
        title="Rebook {patient_name} ({appointment_type})",
        due_in_minutes=24 * 60,
    )
    ActionFactory(
        automation=automation,
        position=1,
        kind="add_to_recall",
        recall_list=RecallListFactory(),
        recall_in_days=30,
        role="",
        title="",
    )
    excluded = PatientFactory(preferred_language="fr")
    ConditionFactory(
        automation=automation,
        field=Condition.Field.LANGUAGE,
        operator="not_in",
        values=["fr"],
    )
    patients = [PatientFactory(preferred_language="en") for _ in range(2)] + [excluded]
    for hour, patient in zip((9, 10, 11), patients, strict=True):
        appointment = scheduling.appointment_book(
            patient=patient,
            appointment_type=clinic["type"],
            provider=clinic["provider"],
            location=clinic["location"],
            start=local(next_weekday(), hour),
            actor=admin_user,
        )
        appointment = reach_visit(appointment, minutes_ago=30)
        scheduling.appointment_mark_no_show(appointment=appointment, actor=admin_user)

    result = dry_run(automation=automation)

    assert (result.events, result.matched) == (3, 2)
    assert dict(result.totals) == {"create_task": 2, "add_to_recall": 2}
    planned = sorted(
        (row.patient.pk, row.steps[0].text, row.steps[0].to) for row in result.rows
    )
    assert not StaffAlert.objects.filter(kind="task").exists()
    assert not AutomationRun.objects.exists()
    assert not RecallEntry.objects.exists()

    automation_enable(automation=automation, actor=admin_user)
    drain()
    made = sorted(
        (task.patient_id, task.title, task.assigned_role)
        for task in StaffAlert.objects.filter(kind="task")
    )
    assert made == planned
    assert sorted(RecallEntry.objects.values_list("patient_id", flat=True)) == sorted(
        p.pk for p in patients[:2]
    )


def test_dry_run_of_a_reminder_walks_past_visits(clinic):
    automation = AutomationFactory(
        trigger="appointment.time", offset_minutes=-24 * 60, enabled=False
    )
    ActionFactory(automation=automation, position=0, title="Remind {patient}")
    now = timezone.now()
    kept = AppointmentFactory(
        start=now - timedelta(days=3),
        status="completed",
        booked_at=now - timedelta(days=10),
    )
    AppointmentFactory(  # booked after the reminder time: would not have had one
        start=now - timedelta(days=5), booked_at=now - timedelta(days=5, hours=2)
    )
    AppointmentFactory(  # cancelled two days before: no reminder
        start=now - timedelta(days=7),
        status="cancelled",
        booked_at=now - timedelta(days=20),
        cancelled_at=now - timedelta(days=9),
    )
    AppointmentFactory(
        start=now - timedelta(days=40), booked_at=now - timedelta(days=50)
    )

    result = dry_run(automation=automation)

    assert [row.patient for row in result.rows] == [kept.patient]
    assert result.rows[0].steps[0].text == f"Remind {kept.patient.given_name}"
    assert not AutomationRun.objects.exists()
