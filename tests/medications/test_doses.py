"""Giving a dose at the bedside: the five rights, timing, witness, hold, refuse,
PRN limits, and never twice."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from medications import services
from medications.exceptions import (
    DoseAlreadyGiven,
    DoseNotOpen,
    FiveRightsError,
    PrnLimitReached,
)
from medications.models import Administration, MedicationOrder, ScheduledDose
from medications.services import Bedside
from tests.clinic.factories import PASSWORD
from tests.medications.factories import MedicationFactory, MedicationOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse(make_user):
    return make_user("Nurse", first_name="Nora", last_name="Bedside")


@pytest.fixture
def dose():
    order = MedicationOrderFactory(
        medication=MedicationFactory(
            name="Cefazolin",
            barcode="00409-1234-01",
            routes=["IV", "IM"],
            unit="g",
            strength=Decimal("1"),
            max_single_dose=Decimal("2"),
        ),
        patient__mrn="M0000042",
        patient__given_name="Ann",
        patient__family_name="Lee",
        patient__birth_date=date(1950, 3, 4),
        dose=Decimal("1"),
        dose_unit="g",
        route="IV",
    )
    return ScheduledDose.objects.create(order=order, due_at=timezone.now())


def entry(**overrides) -> Bedside:
    values = {
        "wristband": "M0000042",
        "barcode": "00409123401",
        "amount": "1",
        "unit": "g",
        "route": "IV",
        "site": "left forearm",
    }
    values.update(overrides)
    return Bedside(**values)


def test_the_right_dose_is_given_and_recorded(dose, nurse):
    given = services.dose_administer(dose=dose, entry=entry(), actor=nurse)
    dose.refresh_from_db()
    assert dose.status == "given"
    assert (given.amount, given.unit, given.route, given.site) == (
        Decimal("1"),
        "g",
        "IV",
        "left forearm",
    )
    assert given.given_by == nurse and given.witness is None
    assert given.timing_reason == ""


@pytest.mark.parametrize(
    ("overrides", "check", "message"),
    [
        (
            {"wristband": "M0000043"},
            "patient",
            "Wrong patient: the wristband scanned is no patient's, not Ann Lee, "
            "born 1950-03-04. Check the patient's identity before going on.",
        ),
        (
            {"barcode": "00409-9999-01"},
            "drug",
            "Wrong drug: the barcode scanned is no drug in the formulary, not "
            "Cefazolin 1 g tablet.",
        ),
        (
            {"amount": "2"},
            "dose",
            "Dose out of range: the order is 1 g; you entered 2 g.",
        ),
        (
            {"amount": "5", "unit": "mL"},
            "dose",
            "Dose out of range: mL does not fit the ordered 1 g.",
        ),
        ({"route": "IM"}, "route", "Wrong route: the order is IV, not IM."),
    ],
)
def test_each_five_rights_failure_says_what_is_wrong(
    dose, nurse, overrides, check, message
):
    with pytest.raises(FiveRightsError) as error:
        services.dose_administer(dose=dose, entry=entry(**overrides), actor=nurse)
    assert (error.value.check, error.value.message) == (check, message)
    dose.refresh_from_db()
    assert dose.status == "scheduled"
    assert Administration.objects.count() == 0


def test_the_same_amount_in_another_unit_is_the_right_dose(dose, nurse):
    given = services.dose_administer(
        dose=dose, entry=entry(amount="1000", unit="mg"), actor=nurse
    )
    assert (given.amount, given.unit) == (Decimal("1000"), "mg")


def test_outside_the_time_window_needs_a_reason(dose, nurse):
    late = dose.due_at + timedelta(minutes=75)
    with pytest.raises(FiveRightsError) as error:
        services.dose_administer(dose=dose, entry=entry(), actor=nurse, now=late)
    assert error.value.check == "time"
    assert "75 minutes ago. Giving it late needs a reason." in error.value.message

    early = dose.due_at - timedelta(minutes=45)
    with pytest.raises(FiveRightsError) as error:
        services.dose_administer(dose=dose, entry=entry(), actor=nurse, now=early)
    assert "45 minutes from now. Giving it early needs a reason." in error.value.message

    given = services.dose_administer(
        dose=dose, entry=entry(reason="patient back from X-ray"), actor=nurse, now=late
    )
    assert given.timing_reason == "patient back from X-ray"


def test_within_the_window_no_reason_is_needed(dose, nurse):
    given = services.dose_administer(
        dose=dose, entry=entry(), actor=nurse, now=dose.due_at + timedelta(minutes=29)
    )
    assert given.timing_reason == ""


def test_a_high_alert_drug_needs_a_second_nurse_with_their_password(
    dose, nurse, make_user
):
    medication = dose.order.medication
    medication.is_high_alert = True
    medication.save()
    witness = make_user("Nurse", username="wendy")
    clerk = make_user("Front desk", username="fred")

    def attempt(**overrides):
        with pytest.raises(FiveRightsError) as error:
            services.dose_administer(dose=dose, entry=entry(**overrides), actor=nurse)
        assert error.value.check == "witness"
        return error.value.message

    assert attempt() == (
        "Cefazolin is a high-alert drug: a second nurse must witness the dose with "
        "their user name and password."
    )
    assert attempt(witness_username=nurse.username, witness_password=PASSWORD) == (
        "The witness must be a second nurse, not you."
    )
    assert attempt(witness_username="wendy", witness_password="wrong") == (
        "The witness's user name or password is not right."
    )
    assert attempt(witness_username="fred", witness_password=PASSWORD) == (
        "The witness must be a nurse who may give medications."
    )
    assert clerk.pk
    given = services.dose_administer(
        dose=dose,
        entry=entry(witness_username="wendy", witness_password=PASSWORD),
        actor=nurse,
    )
    assert given.witness == witness


def test_a_dose_is_never_given_twice(dose, nurse, make_user):
    services.dose_administer(dose=dose, entry=entry(), actor=nurse)
    other = make_user("Nurse")
    with pytest.raises(DoseAlreadyGiven) as error:
        services.dose_administer(dose=dose, entry=entry(), actor=other)
    local = timezone.localtime(dose.administration.given_at)
    assert error.value.message == (
        f"Already given by Nora Bedside at {local:%b} {local.day}, {local:%H:%M}."
    )
    assert Administration.objects.count() == 1


def test_hold_and_refuse_need_a_reason_and_close_the_dose(dose, nurse):
    with pytest.raises(ValidationError):
        services.dose_hold(dose=dose, actor=nurse, reason=" ")
    services.dose_hold(dose=dose, actor=nurse, reason="BP 85/50")
    dose.refresh_from_db()
    assert (dose.status, dose.reason, dose.status_changed_by) == (
        "held",
        "BP 85/50",
        nurse,
    )
    with pytest.raises(DoseNotOpen) as error:
        services.dose_administer(dose=dose, entry=entry(), actor=nurse)
    assert error.value.message == "This dose is held; it cannot be charted again."

    other = ScheduledDose.objects.create(
        order=dose.order, due_at=dose.due_at + timedelta(hours=8)
    )
    services.dose_refuse(dose=other, actor=nurse, reason="Patient declined")
    other.refresh_from_db()
    assert (other.status, other.reason) == ("refused", "Patient declined")


def test_a_dose_of_a_held_order_cannot_be_given(dose, nurse):
    order = dose.order
    order.status = MedicationOrder.Status.HELD
    order.save()
    with pytest.raises(DoseNotOpen) as error:
        services.dose_administer(dose=dose, entry=entry(), actor=nurse)
    assert error.value.message == "The order is held; its doses cannot be given."


@pytest.fixture
def prn_order():
    return MedicationOrderFactory(
        medication=MedicationFactory(
            name="Ondansetron",
            barcode="55150012305",
            routes=["IV", "PO"],
            unit="mg",
            strength=Decimal("4"),
            max_single_dose=Decimal("8"),
        ),
        patient__mrn="M0000042",
        patient__given_name="Ann",
        patient__family_name="Lee",
        dose=Decimal("4"),
        dose_unit="mg",
        route="IV",
        frequency="prn",
        interval_hours=None,
        prn_min_interval_hours=Decimal("4"),
        prn_max_per_24h=3,
        start_at=timezone.now() - timedelta(days=2),
    )


def test_prn_minimum_interval_and_daily_maximum_are_enforced(prn_order, nurse):
    prn = entry(barcode="55150012305", amount="4", unit="mg")
    start = timezone.now() - timedelta(hours=20)
    for hours in (0, 5, 10):
        services.prn_administer(
            order=prn_order, entry=prn, actor=nurse, now=start + timedelta(hours=hours)
        )
    assert prn_order.doses.filter(status="given").count() == 3

    too_soon = start + timedelta(hours=12)
    with pytest.raises(PrnLimitReached) as error:
        services.prn_administer(order=prn_order, entry=prn, actor=nurse, now=too_soon)
    last = timezone.localtime(start + timedelta(hours=10))
    assert error.value.message.startswith(
        f"Too soon for this PRN dose: last given at {last:%H:%M}; "
        "the minimum interval is 4 h"
    )

    full = start + timedelta(hours=15)
    with pytest.raises(PrnLimitReached) as error:
        services.prn_administer(order=prn_order, entry=prn, actor=nurse, now=full)
    assert error.value.message.startswith(
        "PRN maximum reached: 3 doses in the last 24 h (maximum 3)"
    )
    # 24 h after the first dose a fourth one is allowed.
    services.prn_administer(
        order=prn_order,
        entry=prn,
        actor=nurse,
        now=start + timedelta(hours=24, minutes=1),
    )
    assert Administration.objects.filter(dose__order=prn_order).count() == 4


def test_prn_checks_the_five_rights_too(prn_order, nurse):
    with pytest.raises(FiveRightsError) as error:
        services.prn_administer(
            order=prn_order,
            entry=entry(barcode="55150012305", amount="8", unit="mg"),
            actor=nurse,
        )
    assert (
        error.value.message == "Dose out of range: the order is 4 mg; you entered 8 mg."
    )
