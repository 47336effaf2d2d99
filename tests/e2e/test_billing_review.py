"""Billing in a real browser: a diagnosis found by its words, and a batch
reviewed before it is sent (issue #18)."""

import os
import re

import pytest

from billing.models import SubmissionBatch
from billing.services import claim_mark_ready
from tests.billing.factories import billed_claim, completed_visit
from tests.clinic.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# Where the screenshots go when a person wants to look at them.
SHOTS = os.environ.get("E2E_SCREENSHOTS", "")


def _log_in(page, username):
    page.goto(page.base_url + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def test_a_diagnosis_is_found_by_its_words_and_picked(page, make_user):
    visit = completed_visit(diagnoses=())
    make_user("Billing", username="bea")
    _log_in(page, "bea")
    page.goto(page.base_url + f"/billing/visits/{visit.pk}/")
    page.get_by_label("ICD-10-CM").fill("type 2 diabetes")
    pick = page.get_by_role("button", name=re.compile(r"^E11\.9 "))
    pick.wait_for()
    _shot(page, "visit_diagnosis_search.png")
    with page.expect_navigation():
        pick.click()
    listed = page.locator("#visit-diagnoses").inner_text()
    assert "E11.9 Type 2 diabetes mellitus without complications" in listed
    assert visit.diagnoses.get().code == "E11.9"
    assert page.console_errors == []


def test_billing_reviews_the_batch_then_sends_it(page, make_user):
    claims = [billed_claim(), billed_claim(extra_codes=["36415"])]
    for claim in claims:
        claim_mark_ready(claim=claim, actor=None)
    make_user("Billing", username="bea")
    _log_in(page, "bea")

    page.goto(page.base_url + "/billing/claims/")
    with page.expect_navigation():
        page.get_by_role("link", name="Review 2 ready claims to submit").click()
    table = page.locator("#review-table").inner_text()
    for claim in claims:
        assert claim.claim_number in table and str(claim.patient) in table
    assert page.locator("#review-total").inner_text() == "255.00"
    assert "2 claims, $255.00 in all" in page.locator("#review-summary").inner_text()
    assert SubmissionBatch.objects.count() == 0  # nothing went out yet
    _shot(page, "batch_review.png")

    with page.expect_navigation():
        page.get_by_role("button", name="Send 2 claims").click()
    batch = SubmissionBatch.objects.get()
    assert page.url.endswith(batch.get_absolute_url())
    success = page.locator(".alert-success").inner_text()
    assert "with 2 claim(s) is on its way" in success
    for claim in claims:
        assert claim.claim_number in page.content()
    _shot(page, "batch_sent.png")
    assert page.console_errors == []
