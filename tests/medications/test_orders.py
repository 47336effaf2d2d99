"""Order checks: maximum dose, unit, route, duplicate therapy, allergy override."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from medications import allergies, services
from medications.exceptions import AllergyBlocked, DuplicateTherapy
from medications.models import MedicationOrder
from tests.medications.factories import MedicationFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(make_user):
    return {
        "patient": PatientFactory(),
        "location": LocationFactory(code="unit"),
        "medication": MedicationFactory(
            name="Amoxicillin",
            strength=Decimal("500"),
            unit="mg",
            max_single_dose=Decimal("1000"),
            ingredients=["amoxicillin", "penicillin"],
        ),
        "actor": make_user("Clinician"),
    }


def _order(ctx, **overrides):
    fields = {
        "patient": ctx["patient"],
        "location": ctx["location"],
        "medication": ctx["medication"],
        "dose": Decimal("500"),
        "dose_unit": "mg",
        "route": "PO",
        "frequency": "interval",
        "interval_hours": 8,
        "actor": ctx["actor"],
    }
    fields.update(overrides)
    return services.order_create(**fields)


def test_an_order_schedules_its_doses_and_keeps_who_ordered(ctx):
    order = _order(ctx)
    assert order.status == "active"
    assert order.ordered_by == ctx["actor"]
    assert order.doses.count() == 5  # 0, 8, 16, 24, 32 h of the 36-hour horizon
    assert order.history.first().history_change_reason.startswith("ordered by")


def test_a_dose_above_the_maximum_single_dose_is_refused(ctx):
    with pytest.raises(ValidationError) as error:
        _order(ctx, dose=Decimal("1.5"), dose_unit="g")
    assert error.value.message_dict["dose"] == [
        "1.5 g is above the maximum single dose of Amoxicillin (1000 mg)."
    ]
    assert MedicationOrder.objects.count() == 0


def test_a_unit_that_does_not_fit_the_medication_is_refused(ctx):
    with pytest.raises(ValidationError) as error:
        _order(ctx, dose=Decimal("5"), dose_unit="mL")
    assert error.value.message_dict["dose_unit"] == [
        "mL does not fit Amoxicillin, which is measured in mg."
    ]


def test_grams_fit_milligrams_below_the_maximum(ctx):
    order = _order(ctx, dose=Decimal("1"), dose_unit="g")
    assert order.dose_label == "1 g"


def test_a_route_the_drug_does_not_allow_is_refused(ctx):
    with pytest.raises(ValidationError) as error:
        _order(ctx, route="IV")
    assert error.value.message_dict["route"] == [
        "Amoxicillin cannot be given IV; allowed: PO."
    ]


def test_frequency_details_are_required(ctx):
    with pytest.raises(ValidationError) as error:
        _order(ctx, frequency="times", interval_hours=None, times_of_day=["8 am"])
    assert error.value.message_dict["times_of_day"] == [
        "Write times of day as HH:MM, e.g. 08:00."
    ]
    with pytest.raises(ValidationError) as error:
        _order(ctx, frequency="prn", interval_hours=None)
    assert set(error.value.message_dict) == {
        "prn_min_interval_hours",
        "prn_max_per_24h",
    }


def test_a_second_active_order_for_the_same_drug_warns_until_confirmed(ctx):
    first = _order(ctx)
    with pytest.raises(DuplicateTherapy) as error:
        _order(ctx, frequency="once", interval_hours=None)
    assert error.value.message.startswith(
        "Duplicate therapy: the patient already has an active order for Amoxicillin"
    )
    second = _order(ctx, frequency="once", interval_hours=None, confirm_duplicate=True)
    assert second.pk != first.pk
    assert "duplicate therapy confirmed" in second.history.first().history_change_reason


def test_an_allergy_match_blocks_unless_overridden_with_a_reason(ctx, monkeypatch):
    # The one seam to the registration app's allergy list.
    monkeypatch.setattr(
        allergies, "active_allergy_substances", lambda patient: ["Penicillin"]
    )
    with pytest.raises(AllergyBlocked) as error:
        _order(ctx, allergy_override_reason="   ")
    assert error.value.message == (
        "Allergy: the patient is allergic to Penicillin, which Amoxicillin contains. "
        "Give an override reason to order it anyway."
    )
    assert MedicationOrder.objects.count() == 0

    order = _order(ctx, allergy_override_reason="Tolerated amoxicillin in 2024")
    assert order.allergy_override_reason == "Tolerated amoxicillin in 2024"
    assert (
        "allergy override (Penicillin)" in order.history.first().history_change_reason
    )


def test_an_unrelated_allergy_does_not_block(ctx, monkeypatch):
    monkeypatch.setattr(
        allergies, "active_allergy_substances", lambda patient: ["Latex", "Sulfa"]
    )
    assert _order(ctx).allergy_override_reason == ""


def test_hold_resume_and_discontinue_need_reasons(ctx):
    order = _order(ctx)
    for action in (services.order_hold, services.order_discontinue):
        with pytest.raises(ValidationError) as error:
            action(order=order, actor=ctx["actor"], reason="  ")
        assert error.value.message_dict["reason"] == [
            "Give a reason; it is kept in the order's history."
        ]
    services.order_hold(order=order, actor=ctx["actor"], reason="INR too high")
    order.refresh_from_db()
    assert (order.status, order.status_reason) == ("held", "INR too high")
    reasons = [h.history_change_reason for h in order.history.order_by("history_id")]
    assert reasons[-1] == "held: INR too high"
