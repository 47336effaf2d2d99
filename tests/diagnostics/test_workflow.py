"""Ordered → collected → in lab → resulted → reviewed; critical results reach the
ordering clinician, escalate when nobody acknowledges, and the acknowledgement is
recorded."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alerts.models import StaffAlert
from clinic.dispatch import dispatch_due
from diagnostics import services
from diagnostics.exceptions import OrderStateError
from diagnostics.models import DiagnosticOrder, Observation, TestDefinition
from tests.diagnostics.factories import make_order

pytestmark = pytest.mark.django_db
Status = DiagnosticOrder.Status


def _enter(order, actor, status="F", **values):
    tests = {TestDefinition.objects.get(code=code): raw for code, raw in values.items()}
    return services.results_enter(order=order, values=tests, status=status, actor=actor)


def test_the_order_walks_every_status_with_who_and_when(make_user):
    nurse, order = make_user("Nurse"), make_order(panels=("LIPID",), tests=("HGB",))
    assert services.order_specimen_types(order) == ["blood", "serum"]
    services.specimen_collect(
        order=order, specimen_types=["blood", "serum"], actor=nurse
    )
    order.refresh_from_db()
    assert order.status == Status.COLLECTED and order.collected_at is not None
    assert {s.collected_by for s in order.specimens.all()} == {nurse}

    services.order_send_to_lab(order=order, actor=nurse)
    order.refresh_from_db()
    assert order.status == Status.IN_LAB
    assert all(s.sent_by == nurse for s in order.specimens.all())

    _enter(order, nurse, CHOL="180", TRIG="120")
    order.refresh_from_db()
    assert order.status == Status.PARTIAL
    _enter(order, nurse, HDL="55", LDL="100", HGB="14.0")
    order.refresh_from_db()
    assert order.status == Status.FINAL
    assert {o.test.code: o.flag for o in order.observations.all()} == {
        "CHOL": "N", "TRIG": "N", "HDL": "N", "LDL": "H", "HGB": "N"
    }  # fmt: skip

    clinician = order.ordering_clinician
    review_alert = StaffAlert.objects.get(key=f"review:{order.pk}")
    assert review_alert.assigned_user == clinician
    services.order_review(order=order, note="Start a statin talk.", actor=clinician)
    order.refresh_from_db()
    assert (order.status, order.reviewed_by, order.review_note) == (
        Status.REVIEWED,
        clinician,
        "Start a statin talk.",
    )
    review_alert.refresh_from_db()
    assert review_alert.status == StaffAlert.Status.RESOLVED
    reasons = [h.history_change_reason for h in order.history.order_by("history_date")]
    assert reasons[0].startswith("ordered by") and reasons[-1].startswith("reviewed by")


def test_cancel_needs_a_reason_and_is_refused_after_results(make_user):
    order = make_order()
    with pytest.raises(ValidationError):
        services.order_cancel(order=order, reason=" ", actor=order.ordering_clinician)
    services.order_cancel(
        order=order, reason="Patient declined", actor=order.ordering_clinician
    )
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (Status.CANCELLED, "Patient declined")
    assert order.history.first().history_change_reason == "cancelled: Patient declined"

    resulted = make_order()
    _enter(resulted, make_user("Nurse"), HGB="13")
    with pytest.raises(OrderStateError) as error:
        services.order_cancel(order=resulted, reason="x", actor=make_user("Clinician"))
    assert error.value.message == (
        "This order is Resulted (partial); it cannot be cancelled."
    )


def test_collection_time_must_be_between_the_order_and_now(make_user):
    order = make_order()
    with pytest.raises(ValidationError) as error:
        services.specimen_collect(
            order=order,
            specimen_types=["blood"],
            collected_at=timezone.now() + timedelta(hours=1),
            actor=make_user("Nurse"),
        )
    assert "collected_at" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.specimen_collect(order=order, specimen_types=["urine"], actor=None)


def test_manual_results_are_checked_before_any_is_stored(make_user):
    order = make_order()
    with pytest.raises(ValidationError) as error:
        _enter(order, make_user("Nurse"), HGB="13.5", PLT="lots")
    assert error.value.message_dict == {
        f"test_{TestDefinition.objects.get(code='PLT').pk}": [
            "Platelets needs a number (for example 12.5), not 'lots'."
        ]
    }
    assert order.observations.count() == 0


def test_changing_a_final_manual_result_needs_corrected(make_user):
    nurse, order = make_user("Nurse"), make_order()
    _enter(order, nurse, HGB="13.5")
    with pytest.raises(ValidationError) as error:
        _enter(order, nurse, HGB="15.0")
    assert error.value.messages == [
        "Hemoglobin already has a final result; save a change as Corrected."
    ]
    _enter(order, nurse, status="C", HGB="15.0")
    hgb = order.observations.get()
    assert (hgb.display_value, hgb.status) == ("15.0", "C")
    assert hgb.history.earliest("history_date").value_numeric == 13.5


def test_critical_alert_escalates_to_clinicians_after_15_minutes_then_is_acknowledged(
    make_user,
):
    order = make_order()
    _enter(order, make_user("Nurse"), K="6.8")
    potassium = order.observations.get()
    assert potassium.flag == Observation.Flag.CRITICAL_HIGH
    alert = StaffAlert.objects.get(key=f"critical:{potassium.pk}")
    assert (alert.assigned_user, alert.priority) == (order.ordering_clinician, 40)

    dispatch_due(now=alert.created_at + timedelta(minutes=14))
    alert.refresh_from_db()
    assert alert.escalated_at is None
    dispatch_due(now=alert.created_at + timedelta(minutes=16))
    alert.refresh_from_db()
    assert (alert.assigned_role, alert.assigned_user) == ("Clinician", None)

    covering = make_user("Clinician", username="covering")
    ack = services.critical_acknowledge(
        observation=potassium,
        action_taken="Called patient, sent to ED for repeat K and ECG.",
        actor=covering,
    )
    assert (ack.acknowledged_by, ack.value_seen) == (covering, "6.8 mmol/L HH")
    alert.refresh_from_db()
    assert alert.status == StaffAlert.Status.RESOLVED
    assert (alert.acknowledged_by, alert.resolved_by) == (covering, covering)
    assert alert.note == (
        "Acknowledged by covering: Called patient, sent to ED for repeat K and ECG."
    )
    with pytest.raises(OrderStateError):
        services.critical_acknowledge(
            observation=potassium, action_taken="again", actor=covering
        )


def test_review_waits_for_the_critical_acknowledgement(make_user):
    order = make_order(panels=(), tests=("K",))
    _enter(order, make_user("Nurse"), K="2.1")
    clinician = order.ordering_clinician
    with pytest.raises(OrderStateError) as error:
        services.order_review(order=order, actor=clinician)
    assert error.value.message == (
        "Acknowledge the critical result(s) first: Potassium. Say what was done."
    )
    with pytest.raises(ValidationError):
        services.critical_acknowledge(
            observation=order.observations.get(), action_taken=" ", actor=clinician
        )
    services.critical_acknowledge(
        observation=order.observations.get(),
        action_taken="Oral potassium started, repeat tomorrow.",
        actor=clinician,
    )
    services.order_review(order=order, actor=clinician)
    order.refresh_from_db()
    assert order.status == Status.REVIEWED


def test_a_correction_after_review_needs_review_again(make_user):
    nurse, order = make_user("Nurse"), make_order(panels=(), tests=("TSH",))
    _enter(order, nurse, TSH="2.0")
    services.order_review(order=order, actor=order.ordering_clinician)
    _enter(order, nurse, status="C", TSH="6.0")
    order.refresh_from_db()
    assert (order.status, order.reviewed_at) == (Status.CORRECTED, None)
