"""The line pages of a claim: edit, add and remove, shown to billing only, with the
claim's new total and scrub after each change."""

from decimal import Decimal

import pytest
from django.urls import reverse

from billing.selectors import fee_schedule_refusal
from billing.services import (
    claim_mark_ready,
    claims_submit,
)
from billing.services.claim_lines import (
    LAST_LINE,
    POINTERS_BEYOND,
)
from billing.services.claims import NOT_EDITABLE
from billing.validators import CPT_INVALID
from clinic.models import AccessLog
from tests.billing.claim_lines_data import claim_line, claim_snapshot, two_line_claim
from tests.billing.factories import billed_claim

pytestmark = pytest.mark.django_db


def _edit_url(claim, number):
    return reverse(
        "billing:claim-line-edit", args=[claim.pk, claim_line(claim, number).pk]
    )


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
    claim = two_line_claim()
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
    assert claim_line(claim, 2).units == Decimal("1")


def test_claim_page_offers_line_edits_only_when_they_are_allowed(client, make_user):
    claim = two_line_claim()
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
    claim = two_line_claim()
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
    claim = two_line_claim()
    url = _edit_url(claim, 2)
    client.force_login(make_user("Billing"))
    assert "follows at 15.00 per unit" in client.get(url).content.decode()
    _post_line(client, url, units="3")  # the charge posted is still 15.00
    assert claim_line(claim, 2).charge_amount == Decimal("45.00")
    _post_line(client, url, units="2", charge_amount="45.00")  # charge unchanged
    assert claim_line(claim, 2).charge_amount == Decimal("30.00")
    _post_line(client, url, units="4", charge_amount="50.00")  # both: as given
    line = claim_line(claim, 2)
    assert (line.units, line.charge_amount) == (Decimal("4"), Decimal("50.00"))
    # Another code: its price is not this line's, so the charge stays as given.
    _post_line(client, url, code="J1100", units="8", charge_amount="50.00")
    line = claim_line(claim, 2)
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
    claim = two_line_claim()
    before = claim_snapshot(claim)
    client.force_login(make_user("Billing"))
    response = _post_line(client, _edit_url(claim, 2), **overrides)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert claim_snapshot(claim) == before


def test_a_claim_submitted_meanwhile_shows_as_a_form_error(client, make_user):
    claim = two_line_claim()
    url = _edit_url(claim, 2)
    claim_mark_ready(claim=claim, actor=None)
    claims_submit(actor=None)
    before = claim_snapshot(claim)
    client.force_login(make_user("Billing"))
    response = _post_line(client, url, units="3", charge_amount="45")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [NOT_EDITABLE]
    assert claim_snapshot(claim) == before


def test_billing_adds_a_line_on_the_page(client, make_user):
    claim = two_line_claim()
    client.force_login(make_user("Billing"))
    url = reverse("billing:claim-line-add", args=[claim.pk])
    assert client.get(url).status_code == 200
    response = _post_line(client, url, code="j1100", units="2", charge_amount="")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.total_charge == Decimal("144.00")
    assert claim_line(claim, 3).code == "J1100"
    unknown = _post_line(client, url, code="99999", charge_amount="40.00")
    assert unknown.status_code == 200
    assert unknown.context["form"].errors["code"] == [
        fee_schedule_refusal(code="99999")
    ]
    assert "under Admin › Billing › Fee schedule entries" in unknown.content.decode()
    assert 'value="99999"' in unknown.content.decode()
    assert claim.lines.count() == 3


def test_billing_removes_a_line_after_confirming_with_a_reason(client, make_user):
    claim = two_line_claim()
    client.force_login(make_user("Billing"))
    url = reverse("billing:claim-line-remove", args=[claim.pk, claim_line(claim, 2).pk])
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
        reverse("billing:claim-line-remove", args=[claim.pk, claim_line(claim, 1).pk]),
        {"reason": "oops"},
    )
    assert last.context["form"].non_field_errors() == [LAST_LINE]
    assert claim.lines.count() == 1


def test_a_line_of_another_claim_is_not_found(client, make_user):
    claim = two_line_claim()
    other = billed_claim()
    client.force_login(make_user("Billing"))
    url = reverse("billing:claim-line-edit", args=[claim.pk, claim_line(other, 1).pk])
    assert client.get(url).status_code == 404
