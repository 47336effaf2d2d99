"""Conditions on the event's facts, alone and combined (all / any)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from automations.conditions import conditions_match
from automations.facts import age_band
from automations.models import Automation, AutomationRun, Condition, Event
from scheduling import services as scheduling
from scheduling.models import Appointment
from tests.automations.factories import ConditionFactory, task_automation
from tests.registration.factories import CoverageFactory, PatientFactory
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    local,
    next_weekday,
)

pytestmark = pytest.mark.django_db
F = Condition.Field

FACTS = {
    "patient_id": 1,
    "appointment_type": "3",
    "provider": "5",
    "location": "7",
    "payer": "9",
    "age_band": "senior",
    "language": "es",
    "first_visit": False,
    "days_since_last_visit": 400,
    "result_flags": ["H", "N"],
}


def _automation(match="all", conditions=()):
    automation = task_automation("appointment.booked", match=match)
    for field, operator, values, number in conditions:
        ConditionFactory(
            automation=automation,
            field=field,
            operator=operator,
            values=values,
            number=number,
        )
    return automation


@pytest.mark.parametrize(
    ("field", "operator", "values", "number", "expected"),
    [
        (F.APPOINTMENT_TYPE, "in", ["3", "4"], None, True),
        (F.APPOINTMENT_TYPE, "not_in", ["3"], None, False),
        (F.PROVIDER, "in", ["6"], None, False),
        (F.LOCATION, "in", ["7"], None, True),
        (F.PAYER, "not_in", ["1"], None, True),
        (F.AGE_BAND, "in", ["child", "adult"], None, False),
        (F.LANGUAGE, "in", ["es"], None, True),
        (F.FIRST_VISIT, "in", ["yes"], None, False),
        (F.FIRST_VISIT, "in", ["no"], None, True),
        (F.DAYS_SINCE_LAST_VISIT, "gte", [], 365, True),
        (F.DAYS_SINCE_LAST_VISIT, "lte", [], 365, False),
        (F.RESULT_FLAG, "in", ["H", "HH"], None, True),
        (F.RESULT_FLAG, "in", ["LL", "HH"], None, False),
    ],
)
def test_each_condition(field, operator, values, number, expected):
    automation = _automation(conditions=[(field, operator, values, number)])
    assert conditions_match(automation, FACTS) is expected


def test_a_fact_the_event_lacks_fails_the_condition():
    automation = _automation(conditions=[(F.RESULT_FLAG, "not_in", ["HH"], None)])
    assert conditions_match(automation, {"patient_id": 1}) is False


def test_all_needs_every_condition_any_needs_one():
    conditions = [
        (F.LANGUAGE, "in", ["es"], None),
        (F.AGE_BAND, "in", ["child"], None),
    ]
    assert conditions_match(_automation("all", conditions), FACTS) is False
    assert conditions_match(_automation("any", conditions), FACTS) is True
    none_hold = [(F.LANGUAGE, "in", ["fr"], None), (F.AGE_BAND, "in", ["child"], None)]
    assert conditions_match(_automation("any", none_hold), FACTS) is False
    assert conditions_match(_automation("all", []), FACTS) is True


def test_age_bands():
    assert [age_band(a) for a in (0, 17, 18, 39, 40, 64, 65, 101)] == [
        "child",
        "child",
        "adult",
        "adult",
        "middle",
        "middle",
        "senior",
        "senior",
    ]


def test_first_visit_type_and_payer_through_a_real_booking(clinic, admin_user, drain):
    new_patient = AppointmentTypeFactory(name="New patient")
    coverage = CoverageFactory(patient=clinic["patient"])
    automation = _automation(
        "all",
        [
            (F.FIRST_VISIT, "in", ["yes"], None),
            (F.APPOINTMENT_TYPE, "in", [str(new_patient.pk)], None),
            (F.PAYER, "in", [str(coverage.payer_id)], None),
        ],
    )
    returning = PatientFactory(birth_date=date(1950, 1, 1))
    AppointmentFactory(
        patient=returning,
        status=Appointment.Status.COMPLETED,
        start=timezone.now() - timedelta(days=501),  # 500 clinic days, DST or not
    )
    CoverageFactory(patient=returning, payer=coverage.payer)

    def book(patient, visit_type, hour):
        scheduling.appointment_book(
            patient=patient,
            appointment_type=visit_type,
            provider=clinic["provider"],
            location=clinic["location"],
            start=local(next_weekday(), hour),
            actor=admin_user,
        )

    book(clinic["patient"], new_patient, 9)  # matches all three
    book(returning, new_patient, 10)  # not a first visit
    book(PatientFactory(), new_patient, 11)  # no coverage with the payer
    book(clinic["patient"], clinic["type"], 14)  # another type
    drain()
    runs = AutomationRun.objects.filter(automation=automation)
    assert [r.event.patient for r in runs] == [clinic["patient"]]
    returning_event = Event.objects.get(patient=returning)
    assert returning_event.facts["first_visit"] is False
    assert returning_event.facts["days_since_last_visit"] >= 500
    assert returning_event.facts["age_band"] == "senior"
    assert Automation.objects.count() == 1
