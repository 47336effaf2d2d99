"""Billing edits, adds and removes the service lines of a claim that has not gone
out: the total and the scrub follow, bad input and closed claims change nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.exceptions import BillingError
from billing.models import Claim, ClaimLine, ClaimPayment, Remittance
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
from billing.services.claims import (
    CHARGE_POSITIVE,
    HAS_POSTINGS,
    LAST_LINE,
    NO_FEE,
    NOT_EDITABLE,
    POINTERS_BEYOND,
    UNITS_POSITIVE,
)
from billing.validators import CPT_INVALID, MODIFIERS_INVALID
from clinic.models import AccessLog
from tests.billing.factories import billed_claim

pytestmark = pytest.mark.django_db


def _two_line_claim(**kwargs) -> Claim:
    """99213 at 120.00 and 36415 at 15.00, pointing to one diagnosis (E11.9)."""
    return billed_claim(extra_codes=["36415"], **kwargs)


def _line(claim: Claim, number: int) -> ClaimLine:
    return ClaimLine.objects.get(claim=claim, line_number=number)


def _snapshot(claim: Claim):
    claim.refresh_from_db()
    lines = list(
        ClaimLine.objects.filter(claim=claim)
        .order_by("line_number")
        .values_list(
            "line_number",
            "code",
            "modifiers",
            "units",
            "charge_amount",
            "diagnosis_pointers",
        )
    )
    return (
        claim.status,
        claim.total_charge,
        claim.scrub_errors,
        claim.history.count(),
        lines,
        ClaimLine.history.filter(claim_id=claim.pk).count(),
    )


# Services --------------------------------------------------------------------


def test_editing_a_line_changes_the_total_and_keeps_the_history(make_user):
    biller = make_user("Billing")
    claim = _two_line_claim()
    assert claim.total_charge == Decimal("135.00")

    line = claim_line_update(
        line=_line(claim, 2),
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
    claim = _two_line_claim()
    broken = _line(claim, 1)
    broken.code = "9921"  # as a payer's rejection might leave it
    broken.save()
    claim_scrub(claim=claim)
    claim.refresh_from_db()
    assert claim.scrub_errors == [BAD_CPT.format(line=1, code="9921")]

    claim_line_update(line=broken, actor=None, code=" 99214 ")

    claim.refresh_from_db()
    assert _line(claim, 1).code == "99214"
    assert claim.scrub_errors == []
    assert claim.scrubbed_at is not None


def test_a_ready_claim_goes_back_to_draft_when_a_line_changes():
    claim = _two_line_claim()
    claim_mark_ready(claim=claim, actor=None)
    claim_line_update(line=_line(claim, 1), actor=None, modifiers="25")
    claim.refresh_from_db()
    assert (claim.status, _line(claim, 1).modifiers) == ("draft", "25")


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
    claim = _two_line_claim()
    before = _snapshot(claim)
    with pytest.raises(ValidationError) as raised:
        claim_line_update(line=_line(claim, 2), actor=None, **fields)
    assert raised.value.message_dict == errors
    assert _snapshot(claim) == before


def test_a_submitted_claims_lines_do_not_change():
    claim = _two_line_claim()
    claim_mark_ready(claim=claim, actor=None)
    claims_submit(actor=None)
    before = _snapshot(claim)
    assert before[0] == "submitted"
    line = _line(claim, 2)
    with pytest.raises(BillingError) as raised:
        claim_line_update(line=line, actor=None, units=Decimal("3"))
    assert raised.value.message == NOT_EDITABLE
    with pytest.raises(BillingError):
        claim_line_add(claim=claim, actor=None, code="36415")
    with pytest.raises(BillingError):
        claim_line_remove(line=line, actor=None, reason="Not done")
    assert _snapshot(claim) == before


def test_a_corrected_claims_line_is_edited_and_the_original_stays():
    original = _two_line_claim()
    original.status = Claim.Status.DENIED
    original.payer_claim_number = "PAYER-ICN-1"
    original.save()
    corrected = claim_correct(claim=original, actor=None)
    assert (corrected.frequency_code, corrected.status) == ("7", "draft")

    claim_line_update(
        line=_line(corrected, 1), actor=None, modifiers="25", units=Decimal("1")
    )

    assert _line(corrected, 1).modifiers == "25"
    assert _line(original, 1).modifiers == ""


def test_adding_a_line_prices_it_from_the_fee_schedule(make_user):
    claim = _two_line_claim()
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


def test_adding_a_line_with_an_unpriced_code_asks_for_the_charge():
    claim = _two_line_claim()
    before = _snapshot(claim)
    with pytest.raises(ValidationError) as raised:
        claim_line_add(claim=claim, actor=None, code="99999")
    assert raised.value.message_dict == {"charge_amount": [NO_FEE.format(code="99999")]}
    line = claim_line_add(
        claim=claim, actor=None, code="99999", charge_amount=Decimal("40.00")
    )
    assert line.charge_amount == Decimal("40.00")
    assert _snapshot(claim)[1] == before[1] + Decimal("40.00")


def test_removing_a_line_renumbers_the_rest_and_keeps_the_reason():
    claim = billed_claim(extra_codes=["36415", "J1100"])
    assert claim.total_charge == Decimal("139.50")
    removed = _line(claim, 2)
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
    moved = _line(claim, 2).history.latest()
    assert moved.history_change_reason == "Renumbered: line 2 was removed"


def test_the_last_line_stays():
    claim = billed_claim()
    before = _snapshot(claim)
    with pytest.raises(BillingError) as raised:
        claim_line_remove(line=_line(claim, 1), actor=None, reason="x")
    assert raised.value.message == LAST_LINE
    assert _snapshot(claim) == before


def test_lines_of_a_claim_with_postings_are_not_removed():
    claim = _two_line_claim()
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
        lines=[[_line(claim, 2).pk, "36415", "15.00", "0.00", "1", []]],
    )
    before = _snapshot(claim)
    with pytest.raises(BillingError) as raised:
        claim_line_remove(line=_line(claim, 2), actor=None, reason="x")
    assert raised.value.message == HAS_POSTINGS
    assert _snapshot(claim) == before


# Pages -----------------------------------------------------------------------


def _edit_url(claim, number):
    return reverse("billing:claim-line-edit", args=[claim.pk, _line(claim, number).pk])


def _post_line(client, url, **overrides):
    data = {
        "code": "36415",
        "modifiers": "",
        "units": "1",
        "charge_amount": "15.00",
        "diagnosis_pointers": "1",
    }
    data.update(overrides)
    return client.post(url, data)


def test_billing_opens_the_line_edit_page_and_front_desk_does_not(client, make_user):
    claim = _two_line_claim()
    url = _edit_url(claim, 2)
    client.force_login(make_user("Front desk"))
    assert client.get(url).status_code == 403
    assert _post_line(client, url, units="3").status_code == 403
    client.force_login(make_user("Billing"))
    page = client.get(url)
    assert page.status_code == 200
    assert page.templates[0].name == "billing/claim_line_form.html"
    assert page.context["form"].initial["code"] == "36415"
    assert "1 to 1" in page.content.decode()  # the pointer help names the range
    assert AccessLog.objects.filter(patient=claim.patient, what="claim lines").exists()
    assert _line(claim, 2).units == Decimal("1")


def test_claim_page_offers_line_edits_only_when_they_are_allowed(client, make_user):
    claim = _two_line_claim()
    edit = _edit_url(claim, 1)
    add = reverse("billing:claim-line-add", args=[claim.pk])
    detail = reverse("billing:claim-detail", args=[claim.pk])
    client.force_login(make_user("Billing"))
    html = client.get(detail).content.decode()
    assert edit in html and add in html
    client.force_login(make_user("Administrator"))  # reads claims, cannot change
    html = client.get(detail).content.decode()
    assert edit not in html and add not in html
    claim_mark_ready(claim=claim, actor=None)
    claims_submit(actor=None)
    client.force_login(make_user("Billing"))
    html = client.get(detail).content.decode()
    assert edit not in html and add not in html
    response = client.get(edit)
    assert response["Location"] == detail


def test_saving_a_line_shows_the_new_total_and_scrub_on_the_claim(client, make_user):
    claim = _two_line_claim()
    client.force_login(make_user("Billing"))
    response = _post_line(client, _edit_url(claim, 2), units="2", charge_amount="30")
    detail = reverse("billing:claim-detail", args=[claim.pk])
    assert response.status_code == 302
    assert response["Location"] == detail
    page = client.get(detail)
    html = page.content.decode()
    assert [str(m) for m in page.context["messages"]] == [
        "Line 2 saved: the claim total is now 150.00; the scrubber found nothing."
    ]
    assert '<th class="text-end" id="claim-total">150.00</th>' in html
    assert 'id="scrub-clean"' in html


def test_new_units_alone_carry_the_charge_at_the_lines_unit_price(client, make_user):
    claim = _two_line_claim()
    url = _edit_url(claim, 2)
    client.force_login(make_user("Billing"))
    assert "follows at 15.00 per unit" in client.get(url).content.decode()
    _post_line(client, url, units="3")  # the charge posted is still 15.00
    assert _line(claim, 2).charge_amount == Decimal("45.00")
    _post_line(client, url, units="2", charge_amount="45.00")  # charge unchanged
    assert _line(claim, 2).charge_amount == Decimal("30.00")
    _post_line(client, url, units="4", charge_amount="50.00")  # both: as given
    line = _line(claim, 2)
    assert (line.units, line.charge_amount) == (Decimal("4"), Decimal("50.00"))
    # Another code: its price is not this line's, so the charge stays as given.
    _post_line(client, url, code="J1100", units="8", charge_amount="50.00")
    line = _line(claim, 2)
    assert (line.code, line.units, line.charge_amount) == (
        "J1100",
        Decimal("8"),
        Decimal("50.00"),
    )
    claim.refresh_from_db()
    assert claim.total_charge == Decimal("170.00")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"units": "0"}, "units", "Ensure this value is greater than or equal to"),
        ({"code": "9921"}, "code", str(CPT_INVALID)),
        (
            {"diagnosis_pointers": "2"},
            "diagnosis_pointers",
            POINTERS_BEYOND.format(n=1),
        ),
        ({"diagnosis_pointers": "13"}, "diagnosis_pointers", "one to four numbers"),
    ],
    ids=["units-0", "cpt", "pointer-beyond", "pointer-shape"],
)
def test_bad_line_input_shows_on_the_form(client, make_user, overrides, field, message):
    claim = _two_line_claim()
    before = _snapshot(claim)
    client.force_login(make_user("Billing"))
    response = _post_line(client, _edit_url(claim, 2), **overrides)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert _snapshot(claim) == before


def test_a_claim_submitted_meanwhile_shows_as_a_form_error(client, make_user):
    claim = _two_line_claim()
    url = _edit_url(claim, 2)
    claim_mark_ready(claim=claim, actor=None)
    claims_submit(actor=None)
    before = _snapshot(claim)
    client.force_login(make_user("Billing"))
    response = _post_line(client, url, units="3", charge_amount="45")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [NOT_EDITABLE]
    assert _snapshot(claim) == before


def test_billing_adds_a_line_on_the_page(client, make_user):
    claim = _two_line_claim()
    client.force_login(make_user("Billing"))
    url = reverse("billing:claim-line-add", args=[claim.pk])
    assert client.get(url).status_code == 200
    response = _post_line(client, url, code="j1100", units="2", charge_amount="")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.total_charge == Decimal("144.00")
    assert _line(claim, 3).code == "J1100"
    unpriced = _post_line(client, url, code="99999", charge_amount="")
    assert unpriced.status_code == 200
    assert unpriced.context["form"].errors["charge_amount"] == [
        NO_FEE.format(code="99999")
    ]


def test_billing_removes_a_line_after_confirming_with_a_reason(client, make_user):
    claim = _two_line_claim()
    client.force_login(make_user("Billing"))
    url = reverse("billing:claim-line-remove", args=[claim.pk, _line(claim, 2).pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Remove line 2 (36415, 15.00) from the claim?" in page.content.decode()
    assert claim.lines.count() == 2
    no_reason = client.post(url, {"reason": ""})
    assert no_reason.status_code == 200
    assert claim.lines.count() == 2
    too_long = client.post(url, {"reason": "x" * 101})
    assert "at most 100 characters" in too_long.context["form"].errors["reason"][0]
    assert claim.lines.count() == 2
    response = client.post(url, {"reason": "Billed by the lab"})
    assert response["Location"] == reverse("billing:claim-detail", args=[claim.pk])
    claim.refresh_from_db()
    assert list(claim.lines.values_list("code", flat=True)) == ["99213"]
    assert claim.total_charge == Decimal("120.00")
    last = client.post(
        reverse("billing:claim-line-remove", args=[claim.pk, _line(claim, 1).pk]),
        {"reason": "oops"},
    )
    assert last.context["form"].non_field_errors() == [LAST_LINE]
    assert claim.lines.count() == 1


def test_a_line_of_another_claim_is_not_found(client, make_user):
    claim = _two_line_claim()
    other = billed_claim()
    client.force_login(make_user("Billing"))
    url = reverse("billing:claim-line-edit", args=[claim.pk, _line(other, 1).pk])
    assert client.get(url).status_code == 404
