"""Billing in a real browser: review a completed visit's charges, create and
submit the claim, import the payer's 835 and see the claim paid."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Claim, SubmissionBatch
from billing.x12.writer_835 import remit_for_claim, write_835
from tests.billing.factories import (
    BillingProviderFactory,
    completed_visit,
    fee_schedule,
    patient_with_address,
)
from tests.clinic.factories import PASSWORD
from tests.registration.factories import CoverageFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_billing_reviews_submits_and_posts_an_835(
    page, make_user, tmp_path, run_rq_worker
):
    fee_schedule()
    BillingProviderFactory()
    patient = patient_with_address(given_name="Ada", family_name="O'Hara")
    CoverageFactory(patient=patient, group_number="G42")
    visit = completed_visit(patient=patient, diagnoses=())
    make_user("Billing", username="bea", first_name="Bea", last_name="Biller")

    page.goto(page.base_url + "/login/")
    page.get_by_label("Username").fill("bea")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()

    page.goto(page.base_url + "/billing/visits/")
    page.locator("#visit-table").get_by_role("link").first.click()
    page.wait_for_url(re.compile(rf"/billing/visits/{visit.pk}/$"))
    page.get_by_label("ICD-10-CM").fill("e11.9")
    with page.expect_navigation():
        page.get_by_role("button", name="Add diagnosis").click()
    assert "E11.9" in page.locator("#visit-diagnoses").inner_text()
    page.get_by_label("CPT/HCPCS").fill("36415")
    with page.expect_navigation():
        page.get_by_role("button", name="Add charge").click()
    assert page.locator("#visit-total").inner_text() == "135.00"

    page.get_by_role("button", name="Create claim").click()
    page.wait_for_url(re.compile(r"/billing/claims/\d+/$"))
    claim = Claim.objects.get(appointment=visit)
    assert page.locator("#claim-total").inner_text() == "135.00"
    with page.expect_navigation():
        page.get_by_role("button", name="Scrub and mark ready").click()
    assert "Ready" in page.locator("#claim-status").inner_text()

    page.goto(page.base_url + "/billing/claims/")
    page.get_by_role("link", name="Review 1 ready claim to submit").click()
    page.wait_for_url(re.compile(r"/billing/submit/review/$"))
    page.get_by_role("button", name="Send 1 claim").click()
    page.wait_for_url(re.compile(r"/billing/batches/\d+/$"))
    batch = SubmissionBatch.objects.get()
    assert claim.claim_number in page.content()
    assert "ISA13" not in page.content()
    claim.refresh_from_db()
    assert claim.status == "submitted"
    assert claim.batch == batch

    path = tmp_path / "payment.835"
    path.write_text(
        write_835(
            trace_number="EFT-E2E-1",
            payer_name=claim.payer.name,
            payer_tax_id="987654321",
            payee_name="Riverside Family Clinic",
            payee_npi="1234567893",
            payment_date=timezone.localdate(),
            claims=[remit_for_claim(claim, outcome="paid")],
        )
    )
    page.goto(page.base_url + "/billing/remittances/upload/")
    page.get_by_label("835 file").set_input_files(str(path))
    page.get_by_role("button", name="Import and post").click()
    page.wait_for_url(re.compile(r"/billing/remittances/uploads/\d+/$"))
    run_rq_worker("billing")  # posts it in the background; the page polls
    outcome = page.locator("#upload-outcome")
    outcome.wait_for(timeout=30000)
    assert outcome.inner_text() == (
        "835 EFT-E2E-1 posted: 1 claim(s), 0 unmatched, $88.00."
    )
    page.get_by_role("link", name="Open the remittance").click()
    page.wait_for_url(re.compile(r"/billing/remittances/\d+/$"))

    page.get_by_role("link", name=claim.claim_number).click()
    page.wait_for_url(re.compile(rf"/billing/claims/{claim.pk}/$"))
    assert page.locator("#claim-status").inner_text().strip() == "Paid"
    assert page.locator("#claim-paid").inner_text() == "88.00"
    claim.refresh_from_db()
    assert (claim.status, claim.paid_amount) == ("paid", Decimal("88.00"))
    assert page.console_errors == []


def test_billing_edits_a_claim_lines_units_and_sees_the_new_total(page, make_user):
    from tests.billing.factories import billed_claim

    claim = billed_claim(extra_codes=["36415"])
    make_user("Billing", username="bea")
    page.goto(page.base_url + "/login/")
    page.get_by_label("Username").fill("bea")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()

    page.goto(page.base_url + f"/billing/claims/{claim.pk}/")
    assert page.locator("#claim-total").inner_text() == "135.00"
    page.get_by_role("link", name="Edit line 2").click()
    page.wait_for_url(re.compile(rf"/billing/claims/{claim.pk}/lines/\d+/$"))
    assert "15.00 per unit" in page.locator("#line-edit").inner_text()
    page.get_by_label("Units").fill("3")  # the charge follows at 15.00 a unit
    with page.expect_navigation():
        page.get_by_role("button", name="Save line").click()
    assert page.url.endswith(f"/billing/claims/{claim.pk}/")
    assert page.locator("#claim-total").inner_text() == "165.00"
    assert "the scrubber found nothing" in page.locator(".alert-success").inner_text()
    assert page.locator("#scrub-clean").is_visible()
    claim.refresh_from_db()
    assert claim.total_charge == Decimal("165.00")
    assert page.console_errors == []
