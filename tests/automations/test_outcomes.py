"""Did it help? Time to insurance verification and to acknowledging a critical
result, per week, events the automation acted on vs. the others (hand-built data)."""

from datetime import datetime, time, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from alerts.models import StaffAlert
from automations.metrics import automation_metrics
from automations.models import AutomationRun, Event
from automations.outcomes import ACKNOWLEDGE, VERIFY, measure_for
from diagnostics.models import Observation
from tests.automations.factories import ActionFactory, AutomationFactory
from tests.registration.factories import (
    CoverageFactory,
    EligibilityCheckFactory,
    PatientFactory,
)

pytestmark = pytest.mark.django_db


def _monday(weeks_ago: int):
    today = timezone.localdate()
    return today - timedelta(days=today.weekday(), weeks=weeks_ago)


def _at(weeks_ago: int, day: int, hour: int, minute: int = 0) -> datetime:
    """Local time on weekday ``day`` (0 = Monday) of the week ``weeks_ago``."""
    return datetime.combine(
        _monday(weeks_ago) + timedelta(days=day),
        time(hour, minute),
        tzinfo=timezone.get_current_timezone(),
    )


def _event(automation, kind, at, *, patient, subject_id="", touched):
    event = Event.objects.create(
        kind=kind,
        patient=patient,
        occurred_at=at,
        processed_at=at,
        subject_type=ContentType.objects.get_for_model(Observation)
        if subject_id
        else None,
        subject_id=subject_id,
    )
    if touched:
        AutomationRun.objects.create(
            automation=automation, event=event, started_at=at, status="done"
        )
    return event


def _critical_alert(subject_id, acknowledged_at, kind="critical_result"):
    return StaffAlert.objects.create(
        kind=kind,
        title="Critical",
        subject_type=ContentType.objects.get_for_model(Observation),
        subject_id=subject_id,
        assigned_role="Clinician",
        created_at=acknowledged_at - timedelta(hours=3),
        acknowledged_at=acknowledged_at,
        status="acknowledged",
    )


def test_which_outcome_an_automation_aims_at():
    critical = AutomationFactory(trigger="result.critical")
    check = AutomationFactory(trigger="appointment.time", offset_minutes=-1440)
    ActionFactory(automation=check, kind="check_eligibility", role="", title="")
    verify_task = AutomationFactory(trigger="patient.registered")
    ActionFactory(automation=verify_task, title="Verify Insurance for {patient}")
    plain_task = AutomationFactory(trigger="appointment.no_show")
    ActionFactory(automation=plain_task, title="Call {patient} to rebook")
    assert [measure_for(a) for a in (critical, check, verify_task, plain_task)] == [
        ACKNOWLEDGE,
        VERIFY,
        VERIFY,
        None,
    ]
    assert automation_metrics(automation=plain_task).outcome is None


def test_time_to_acknowledge_a_critical_result_touched_vs_not():
    automation = AutomationFactory(trigger="result.critical")
    patient = PatientFactory()
    kind = "result.critical"

    def event(at, subject_id, touched):
        return _event(
            automation,
            kind,
            at,
            patient=patient,
            subject_id=subject_id,
            touched=touched,
        )

    # Two weeks ago: acted on 30 and 10 min, one not yet; others 120 min, one
    # whose only acknowledged alert is the automation's own (not the result's).
    event(_at(2, 0, 10), "101", True)
    _critical_alert("101", _at(2, 0, 10, 30))
    event(_at(2, 1, 10), "102", True)
    _critical_alert("102", _at(2, 1, 10, 10))
    event(_at(2, 2, 11), "104", True)
    event(_at(2, 2, 10), "103", False)
    _critical_alert("103", _at(2, 2, 12))
    event(_at(2, 3, 10), "105", False)
    _critical_alert("105", _at(2, 3, 10, 5), kind="automation")
    # Last week: an earlier acknowledgement of the same result does not count.
    _critical_alert("106", _at(1, 0, 8))
    event(_at(1, 0, 9), "106", False)
    _critical_alert("106", _at(1, 0, 9, 45))
    # Another kind of event about an acknowledged result is not measured.
    _event(
        automation,
        "result.resulted",
        _at(1, 1, 9),
        patient=patient,
        subject_id="107",
        touched=False,
    )
    _critical_alert("107", _at(1, 1, 9, 1))

    metrics = automation_metrics(automation=automation)
    outcome = metrics.outcome
    assert (outcome.measure, str(outcome.unit), outcome.comparable) == (
        ACKNOWLEDGE,
        "min",
        True,
    )
    two, one = outcome.weeks[_monday(2)], outcome.weeks[_monday(1)]
    assert (sorted(two.touched), two.touched_median, two.touched_open) == (
        [10.0, 30.0],
        20.0,
        1,
    )
    assert (two.other, two.other_median, two.other_open) == ([120.0], 120.0, 1)
    assert (one.touched, one.other, one.other_median) == ([], [45.0], 45.0)
    measured = [day for day, lags in outcome.rows if lags.touched or lags.other]
    assert measured == [_monday(2), _monday(1)]
    bars = dict(metrics.outcome_chart_rows)
    assert bars[_monday(2).strftime("%d %b")] == (20.0, 120.0)


def test_time_to_insurance_verification_touched_vs_not():
    automation = AutomationFactory(trigger="appointment.booked")
    ActionFactory(automation=automation, title="Verify insurance for {patient_name}")
    kind = "appointment.booked"
    first = CoverageFactory()
    secondary = CoverageFactory(patient=first.patient, priority=2)
    second = CoverageFactory()
    uninsured = PatientFactory()

    def check(coverage, completed_at, result="active"):
        return EligibilityCheckFactory(
            coverage=coverage,
            result=result,
            requested_at=completed_at or _at(0, 0, 0),
            completed_at=completed_at,
        )

    # Two weeks ago: acted on, answered 6 h later on the primary coverage (the
    # secondary's answer and an error before it do not count).
    _event(automation, kind, _at(2, 0, 9), patient=first.patient, touched=True)
    check(secondary, _at(2, 0, 10))
    check(first, _at(2, 0, 11), result="error")
    check(first, _at(2, 0, 15))
    # Not acted on: answered (not active) a day later.
    _event(automation, kind, _at(2, 1, 9), patient=second.patient, touched=False)
    check(second, _at(2, 2, 9), result="inactive")
    # No coverage: nothing to verify, left out.
    _event(automation, kind, _at(2, 1, 10), patient=uninsured, touched=True)
    # Last week: acted on, still waiting for the payer.
    _event(automation, kind, _at(1, 0, 9), patient=second.patient, touched=True)
    check(second, None, result="pending")

    outcome = automation_metrics(automation=automation).outcome
    assert (outcome.measure, str(outcome.unit)) == (VERIFY, "h")
    two, one = outcome.weeks[_monday(2)], outcome.weeks[_monday(1)]
    assert (two.touched, two.touched_open, two.other, two.other_open) == (
        [6.0],
        0,
        [24.0],
        0,
    )
    assert (one.touched, one.touched_open, one.other, one.other_open) == ([], 1, [], 0)


def test_metrics_page_shows_the_outcome_beside_the_no_show_chart(admin_client):
    automation = AutomationFactory(trigger="result.critical")
    _event(
        automation,
        "result.critical",
        _at(1, 0, 9),
        patient=PatientFactory(),
        subject_id="201",
        touched=True,
    )
    _critical_alert("201", _at(1, 0, 9, 12))
    response = admin_client.get(reverse("automations:metrics", args=[automation.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="metrics-chart"' in content and 'id="outcome-chart"' in content
    assert "Time to acknowledge a critical result" in content
    assert "12.0 min" in content


def test_metrics_page_of_an_automation_without_an_outcome_has_no_outcome_chart(
    admin_client,
):
    automation = AutomationFactory(trigger="appointment.no_show")
    ActionFactory(automation=automation, title="Call {patient}")
    response = admin_client.get(reverse("automations:metrics", args=[automation.pk]))
    assert response.status_code == 200
    assert b'id="outcome-chart"' not in response.content


def test_an_insurance_automation_that_has_not_run_yet_shows_its_empty_metrics(
    admin_client,
):
    """No events yet: the page says so (it was a 500: ``completed_at >= None``)."""
    automation = AutomationFactory(trigger="appointment.booked")
    ActionFactory(automation=automation, title="Verify insurance for {patient_name}")
    assert measure_for(automation) == VERIFY
    response = admin_client.get(reverse("automations:metrics", args=[automation.pk]))
    assert response.status_code == 200
