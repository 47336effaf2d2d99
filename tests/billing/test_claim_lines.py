"""Billing edits, adds and removes the service lines of a claim that has not gone
out: the total and the scrub follow, bad input and closed claims change nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing.exceptions import BillingError
from billing.models import (
    Claim,
    ClaimLine,
    ClaimPayment,
    FeeScheduleEntry,
    Remittance,
)
from billing.scrubber import BAD_CPT
from billing.services import (
    claim_correct,
    claim_line_add,
    claim_line_remove,
    claim_line_update,
    claim_mark_ready,
    claim_scrub,
    claims_submit,
)
from billing.services.claim_lines import (
    CHARGE_POSITIVE,
    HAS_POSTINGS,
    LAST_LINE,
    NO_FEE,
    POINTERS_BEYOND,
    UNITS_POSITIVE,
)
from billing.services.claims import NOT_EDITABLE
from billing.validators import CPT_INVALID, MODIFIERS_INVALID
from tests.billing.claim_lines_data import claim_line, claim_snapshot, two_line_claim
from tests.billing.factories import billed_claim

pytestmark = pytest.mark.django_db


# Services --------------------------------------------------------------------


def test_editing_a_line_changes_the_total_and_keeps_the_history(make_user):
    biller = make_user("Billing")
    claim = two_line_claim()
    assert claim.total_charge == Decimal("135.00")

    line = claim_line_update(
        line=claim_line(claim, 2),
        actor=biller,
        code="36415",
        modifiers="",
        units=Decimal("2"),
        charge_amount=Decimal("30.00"),
        diagnosis_pointers="1",
    )

    claim.refresh_from_db()
    assert (line.units, line.charge_amount) == (Decimal("2"), Decimal("30.00"))
    assert claim.total_charge == Decimal("150.00")
    assert claim.scrub_errors == []
    assert claim.history.latest().history_change_reason == "Line 2 edited by billing"
    change = line.history.latest()
    assert change.history_change_reason == "Line 2 edited by billing"
    delta = change.diff_against(change.prev_record)
    assert sorted(c.field for c in delta.changes) == ["charge_amount", "units"]


def test_editing_a_bad_line_clears_the_scrubbers_finding():
    claim = two_line_claim()
    broken = claim_line(claim, 1)
    broken.code = "9921"  # as a payer's rejection might leave it
    broken.save()
    claim_scrub(claim=claim)
    claim.refresh_from_db()
    assert claim.scrub_errors == [BAD_CPT.format(line=1, code="9921")]

    claim_line_update(line=broken, actor=None, code=" 99214 ")

    claim.refresh_from_db()
    assert claim_line(claim, 1).code == "99214"
    assert claim.scrub_errors == []
    assert claim.scrubbed_at is not None


def test_a_ready_claim_goes_back_to_draft_when_a_line_changes():
    claim = two_line_claim()
    claim_mark_ready(claim=claim, actor=None)
    claim_line_update(line=claim_line(claim, 1), actor=None, modifiers="25")
    claim.refresh_from_db()
    assert (claim.status, claim_line(claim, 1).modifiers) == ("draft", "25")


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"units": Decimal("0")}, {"units": [UNITS_POSITIVE]}),
        ({"code": "9921"}, {"code": [str(CPT_INVALID)]}),
        ({"code": "ABCDE"}, {"code": [str(CPT_INVALID)]}),
        ({"modifiers": "25 ABC"}, {"modifiers": [str(MODIFIERS_INVALID)]}),
        ({"charge_amount": Decimal("0.00")}, {"charge_amount": [CHARGE_POSITIVE]}),
        # The claim has one diagnosis: pointer 2 names nothing.
        (
            {"diagnosis_pointers": "1 2"},
            {"diagnosis_pointers": [POINTERS_BEYOND.format(n=1)]},
        ),
    ],
    ids=["units-0", "short-cpt", "letters-cpt", "modifier", "charge-0", "pointer"],
)
def test_bad_line_input_is_refused_and_changes_nothing(fields, errors):
    claim = two_line_claim()
    before = claim_snapshot(claim)
    with pytest.raises(ValidationError) as raised:
        claim_line_update(line=claim_line(claim, 2), actor=None, **fields)
    assert raised.value.message_dict == errors
    assert claim_snapshot(claim) == before


def test_a_submitted_claims_lines_do_not_change():
    claim = two_line_claim()
    claim_mark_ready(claim=claim, actor=None)
    claims_submit(actor=None)
    before = claim_snapshot(claim)
    assert before[0] == "submitted"
    line = claim_line(claim, 2)
    with pytest.raises(BillingError) as raised:
        claim_line_update(line=line, actor=None, units=Decimal("3"))
    assert raised.value.message == NOT_EDITABLE
    with pytest.raises(BillingError):
        claim_line_add(claim=claim, actor=None, code="36415")
    with pytest.raises(BillingError):
        claim_line_remove(line=line, actor=None, reason="Not done")
    assert claim_snapshot(claim) == before


def test_a_corrected_claims_line_is_edited_and_the_original_stays():
    original = two_line_claim()
    original.status = Claim.Status.DENIED
    original.payer_claim_number = "PAYER-ICN-1"
    original.save()
    corrected = claim_correct(claim=original, actor=None)
    assert (corrected.frequency_code, corrected.status) == ("7", "draft")

    claim_line_update(
        line=claim_line(corrected, 1), actor=None, modifiers="25", units=Decimal("1")
    )

    assert claim_line(corrected, 1).modifiers == "25"
    assert claim_line(original, 1).modifiers == ""


def test_adding_a_line_prices_it_from_the_fee_schedule(make_user):
    claim = two_line_claim()
    line = claim_line_add(
        claim=claim,
        actor=make_user("Billing"),
        code="j1100",
        units=Decimal("2"),
        diagnosis_pointers="1",
    )
    claim.refresh_from_db()
    assert (line.line_number, line.code, line.charge_amount, line.charge) == (
        3,
        "J1100",
        Decimal("9.00"),
        None,
    )
    assert line.service_date == claim.service_date
    assert claim.total_charge == Decimal("144.00")
    assert claim.scrub_errors == []
    assert line.history.get().history_change_reason == "Line 3 added by billing"


def test_a_code_not_on_the_fee_schedule_is_refused_with_how_to_add_it():
    claim = two_line_claim()
    before = claim_snapshot(claim)
    for charge_amount in (None, Decimal("40.00")):
        with pytest.raises(ValidationError) as raised:
            claim_line_add(
                claim=claim, actor=None, code="99999", charge_amount=charge_amount
            )
        assert raised.value.message_dict == {
            "code": [
                "99999 is not on the clinic's fee schedule. An administrator adds it "
                "(code, description and price) under Admin › Billing › Fee schedule "
                "entries (/admin/billing/feescheduleentry/); then enter it here again."
            ]
        }
    with pytest.raises(ValidationError) as raised:
        claim_line_update(line=claim_line(claim, 2), actor=None, code="99999")
    assert list(raised.value.message_dict) == ["code"]
    assert claim_snapshot(claim) == before


def test_a_priced_code_without_its_modifier_pair_asks_for_the_charge():
    FeeScheduleEntry.objects.create(
        code="99215", description="Office visit, high", price=Decimal("0.00")
    )
    claim = two_line_claim()
    with pytest.raises(ValidationError) as raised:
        claim_line_add(claim=claim, actor=None, code="99215")
    assert raised.value.message_dict == {"charge_amount": [NO_FEE.format(code="99215")]}
    line = claim_line_add(
        claim=claim, actor=None, code="99215", charge_amount=Decimal("40.00")
    )
    assert line.charge_amount == Decimal("40.00")


def test_removing_a_line_renumbers_the_rest_and_keeps_the_reason():
    claim = billed_claim(extra_codes=["36415", "J1100"])
    assert claim.total_charge == Decimal("139.50")
    removed = claim_line(claim, 2)
    removed_pk = removed.pk

    claim_line_remove(line=removed, actor=None, reason="Drawn at the lab")

    claim.refresh_from_db()
    assert list(
        claim.lines.order_by("line_number").values_list("line_number", "code")
    ) == [(1, "99213"), (2, "J1100")]
    assert claim.total_charge == Decimal("124.50")
    assert claim.scrub_errors == []
    gone = ClaimLine.history.filter(id=removed_pk).latest()
    assert (gone.history_type, gone.history_change_reason, gone.code) == (
        "-",
        "Drawn at the lab",
        "36415",
    )
    assert claim.history.latest().history_change_reason == (
        "Line 2 (36415) removed by billing: Drawn at the lab"
    )
    moved = claim_line(claim, 2).history.latest()
    assert moved.history_change_reason == "Renumbered: line 2 was removed"


def test_the_last_line_stays():
    claim = billed_claim()
    before = claim_snapshot(claim)
    with pytest.raises(BillingError) as raised:
        claim_line_remove(line=claim_line(claim, 1), actor=None, reason="x")
    assert raised.value.message == LAST_LINE
    assert claim_snapshot(claim) == before


def test_lines_of_a_claim_with_postings_are_not_removed():
    claim = two_line_claim()
    remittance = Remittance.objects.create(
        trace_number="T-LINES",
        payer_identifier="1999999999",
        payment_amount=Decimal("0.00"),
        file_name="sample.835",
        content="",
    )
    ClaimPayment.objects.create(
        remittance=remittance,
        claim=claim,
        patient_control_number=claim.claim_number,
        status_code="4",
        charge_amount=claim.total_charge,
        paid_amount=Decimal("0.00"),
        lines=[[claim_line(claim, 2).pk, "36415", "15.00", "0.00", "1", []]],
    )
    before = claim_snapshot(claim)
    with pytest.raises(BillingError) as raised:
        claim_line_remove(line=claim_line(claim, 2), actor=None, reason="x")
    assert raised.value.message == HAS_POSTINGS
    assert claim_snapshot(claim) == before
