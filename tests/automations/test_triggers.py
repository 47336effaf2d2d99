"""Each trigger fires through the real service and starts its automations, no other."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from alerts.replies import inbound_sms_handle
from automations.models import AutomationRun, Event, Trigger
from diagnostics import services as diagnostics
from diagnostics.models import TestDefinition
from medications import services as medications
from medications.models import ScheduledDose
from registration.models import EligibilityCheck
from registration.services import eligibility_check_run, patient_register
from scheduling import services as scheduling
from tests.automations.factories import task_automation
from tests.diagnostics.factories import make_order
from tests.medications.factories import MedicationOrderFactory
from tests.registration.factories import CoverageFactory, PatientFactory
from tests.scheduling.factories import local, next_weekday, reach_visit

pytestmark = pytest.mark.django_db

PUBLISHED = [
    t for t in Trigger.values if t not in ("appointment.time", "schedule.daily")
]


@pytest.fixture
def every_trigger():
    """One task automation per published trigger, titled after it."""
    return {kind: task_automation(kind, title=kind) for kind in PUBLISHED}


def _book(clinic, actor, hour=9):
    return scheduling.appointment_book(
        patient=clinic["patient"],
        appointment_type=clinic["type"],
        provider=clinic["provider"],
        location=clinic["location"],
        start=local(next_weekday(), hour),
        actor=actor,
    )


def _ran(drain) -> list[str]:
    """Drain, then the triggers of the automations that ran (not counting bookings)."""
    drain()
    return sorted(
        AutomationRun.objects.exclude(
            automation__trigger="appointment.booked"
        ).values_list("automation__trigger", flat=True)
    )


def test_registering_a_patient(every_trigger, admin_user, drain):
    data = {
        "given_name": "Ivy",
        "family_name": "Moss",
        "birth_date": date(1990, 5, 1),
        "sex_at_birth": "F",
    }
    patient = patient_register(data=data, actor=admin_user)
    assert _ran(drain) == ["patient.registered"]
    assert AutomationRun.objects.get().event.patient == patient


def test_booking(every_trigger, clinic, admin_user, drain):
    _book(clinic, admin_user)
    drain()
    assert list(
        AutomationRun.objects.values_list("automation__trigger", flat=True)
    ) == ["appointment.booked"]


@pytest.mark.parametrize(
    ("kind", "act"),
    [
        (
            "appointment.rescheduled",
            lambda a, u: scheduling.appointment_reschedule(
                appointment=a, start=a.start + timedelta(hours=2), actor=u
            ),
        ),
        (
            "appointment.cancelled",
            lambda a, u: scheduling.appointment_cancel(
                appointment=a, reason="Patient asked", actor=u
            ),
        ),
        (
            "appointment.checked_in",
            lambda a, u: scheduling.appointment_check_in(
                appointment=reach_visit(a), actor=u
            ),
        ),
        (
            "appointment.no_show",
            lambda a, u: scheduling.appointment_mark_no_show(
                appointment=reach_visit(a, minutes_ago=30), actor=u
            ),
        ),
    ],
)
def test_appointment_changes(every_trigger, clinic, admin_user, drain, kind, act):
    appointment = _book(clinic, admin_user)
    act(appointment, admin_user)
    assert _ran(drain) == [kind]


def test_completing_a_visit(every_trigger, clinic, admin_user, drain):
    appointment = reach_visit(_book(clinic, admin_user))
    scheduling.appointment_check_in(appointment=appointment, actor=admin_user)
    scheduling.appointment_room(appointment=appointment, actor=admin_user)
    scheduling.appointment_complete(appointment=appointment, actor=admin_user)
    assert _ran(drain) == ["appointment.checked_in", "appointment.completed"]


def test_eligibility_failing(every_trigger, drain):
    coverage = CoverageFactory(member_id="ERR42")
    check = EligibilityCheck.objects.create(
        coverage=coverage, patient=coverage.patient, backend="simulated"
    )
    eligibility_check_run(check_id=check.pk)
    assert _ran(drain) == ["eligibility.failed"]


def test_eligibility_active_publishes_nothing(every_trigger, drain):
    coverage = CoverageFactory(member_id="ABC123")
    check = EligibilityCheck.objects.create(
        coverage=coverage, patient=coverage.patient, backend="simulated"
    )
    eligibility_check_run(check_id=check.pk)
    assert _ran(drain) == []


def test_results_and_critical_results(every_trigger, make_user, drain):
    order = make_order(tests=("K",), panels=())
    diagnostics.results_enter(
        order=order,
        values={TestDefinition.objects.get(code="K"): "6.8"},
        actor=make_user("Nurse"),
    )
    assert _ran(drain) == ["result.critical", "result.resulted"]
    critical = Event.objects.get(kind="result.critical")
    assert critical.facts["result_flags"] == ["HH"]

    doctor = make_user("Clinician")
    diagnostics.critical_acknowledge(
        observation=critical.subject_type.get_object_for_this_type(
            pk=critical.subject_id
        ),
        action_taken="Called the patient",
        actor=doctor,
    )
    assert _ran(drain).count("result.acknowledged") == 1
    acknowledged = Event.objects.get(kind="result.acknowledged")
    assert (acknowledged.actor, acknowledged.patient) == (doctor, order.patient)


def test_overdue_dose(every_trigger, drain):
    now = timezone.now()
    order = MedicationOrderFactory(interval_hours=8)
    ScheduledDose.objects.create(order=order, due_at=now - timedelta(minutes=45))
    medications.overdue_alerts_raise(now=now)
    assert _ran(drain) == ["dose.overdue"]


def test_giving_a_dose(every_trigger, make_user, drain):
    order = MedicationOrderFactory(patient__mrn="M0000077")
    dose = ScheduledDose.objects.create(order=order, due_at=timezone.now())
    nurse = make_user("Nurse")
    entry = medications.Bedside(
        wristband="M0000077",
        barcode=order.medication.barcode,
        amount=str(order.dose),
        unit=order.dose_unit,
        route=order.route,
    )
    medications.dose_administer(dose=dose, entry=entry, actor=nurse)
    assert _ran(drain) == ["dose.given"]
    event = AutomationRun.objects.get().event
    assert (event.actor, event.patient, event.subject_id) == (
        nurse,
        order.patient,
        str(dose.pk),
    )


def test_patient_reply(every_trigger, drain):
    patient = PatientFactory(phone_mobile="+12025550143")
    inbound_sms_handle(
        provider_id="SM1",
        from_number="+12025550143",
        to_number="+12025550100",
        body="Running late",
        clinic="Clinic",
    )
    assert _ran(drain) == ["patient.replied"]
    assert AutomationRun.objects.get().event.patient == patient


def test_time_before_an_appointment_fires_once_per_visit(clinic, admin_user, drain):
    automation = task_automation("appointment.time", title="Remind {patient}")
    automation.offset_minutes = -120
    automation.enabled_at = timezone.now() - timedelta(days=1)
    automation.save()
    other = task_automation("appointment.booked")
    appointment = _book(clinic, admin_user, hour=9)
    just_before = appointment.start - timedelta(minutes=121)
    drain(now=just_before - timedelta(minutes=1))
    assert not AutomationRun.objects.filter(automation=automation).exists()
    drain(now=appointment.start - timedelta(minutes=119))
    drain(now=appointment.start - timedelta(minutes=100))
    run = AutomationRun.objects.get(automation=automation)
    assert run.event.subject_id == str(appointment.pk)
    assert run.status == "done"
    assert AutomationRun.objects.filter(automation=other).count() == 1


def test_time_after_an_appointment(clinic, admin_user, drain):
    automation = task_automation("appointment.time", title="How was it?")
    automation.offset_minutes = 24 * 60
    automation.enabled_at = timezone.now()
    automation.save()
    appointment = reach_visit(_book(clinic, admin_user))
    scheduling.appointment_check_in(appointment=appointment, actor=admin_user)
    drain(now=appointment.start + timedelta(hours=25))
    assert AutomationRun.objects.get(automation=automation).status == "done"


def test_a_cancelled_visit_gets_no_reminder(clinic, admin_user, drain):
    automation = task_automation("appointment.time")
    automation.offset_minutes = -60
    automation.enabled_at = timezone.now()
    automation.save()
    appointment = _book(clinic, admin_user)
    scheduling.appointment_cancel(appointment=appointment, reason="x", actor=admin_user)
    drain(now=appointment.start - timedelta(minutes=30))
    assert not AutomationRun.objects.filter(automation=automation).exists()


def test_daily_schedule_runs_once_a_day_on_its_weekdays(drain):
    automation = task_automation("schedule.daily", title="Work the recall list")
    automation.run_at = time(7, 0)
    automation.weekdays = "01234"
    automation.enabled_at = timezone.now() - timedelta(days=30)
    automation.save()
    monday = next_weekday(0)
    drain(now=local(monday, 6, 30))
    assert not AutomationRun.objects.exists()
    drain(now=local(monday, 7, 5))
    drain(now=local(monday, 15, 0))
    assert AutomationRun.objects.count() == 1
    drain(now=local(monday + timedelta(days=5), 8, 0))  # Saturday
    assert AutomationRun.objects.count() == 1
    drain(now=local(monday + timedelta(days=1), 8, 0))
    assert AutomationRun.objects.count() == 2


def test_claim_denied_and_rejected(every_trigger, drain):
    from billing.models import Claim
    from billing.services import (
        ack_import,
        claim_mark_ready,
        claims_submit,
        remittance_import,
    )
    from billing.x12.writer_835 import remit_for_claim, write_277ca, write_835
    from tests.billing.factories import billed_claim

    denied, rejected = billed_claim(), billed_claim()
    for claim in (denied, rejected):
        claim_mark_ready(claim=claim, actor=None)
    claims_submit(actor=None)
    denied, rejected = (Claim.objects.get(pk=c.pk) for c in (denied, rejected))
    ack_import(
        text=write_277ca(
            results=[(rejected.claim_number, False, "Subscriber ID not found")]
        ),
        file_name="a.277",
    )
    remittance_import(
        text=write_835(
            trace_number="TRACE-9",
            payer_name="Acme Health",
            payer_tax_id="987654321",
            payee_name="Riverside Family Clinic",
            payee_npi="1234567893",
            payment_date=date(2026, 11, 20),
            claims=[remit_for_claim(denied, outcome="denied")],
        ),
        file_name="b.835",
    )
    assert _ran(drain) == ["claim.denied", "claim.rejected"]
    event = Event.objects.get(kind="claim.denied")
    assert event.patient == denied.patient
    assert event.facts["payer"] == str(denied.payer_id)
    assert Event.objects.get(kind="claim.rejected").patient == rejected.patient
