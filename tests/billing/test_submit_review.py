"""A batch is sent from a review of its claims: exactly the reviewed claims go."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from billing.models import Claim, SubmissionBatch
from billing.services import claim_mark_ready
from tests.billing.factories import billed_claim

pytestmark = pytest.mark.django_db


def _ready(**kwargs) -> Claim:
    claim = billed_claim(**kwargs)
    claim_mark_ready(claim=claim, actor=None)
    claim.refresh_from_db()
    return claim


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_claim_list_links_to_the_review_instead_of_sending(client, make_user):
    _ready()
    client.force_login(make_user("Billing"))
    page = client.get(reverse("billing:claim-list")).content.decode()
    assert f'href="{reverse("billing:submit-review")}"' in page
    assert "Review 1 ready claim to submit" in page
    assert SubmissionBatch.objects.count() == 0


def test_the_review_lists_the_claims_count_and_total(client, make_user):
    first = _ready()
    second = _ready(extra_codes=["36415"])
    billed_claim()  # a draft: not on the review
    client.force_login(make_user("Billing"))
    response = client.get(reverse("billing:submit-review"))
    assert response.status_code == 200
    assert list(response.context["claims"]) == [first, second]
    assert response.context["total"] == Decimal("255.00")
    page = response.content.decode()
    assert "2 claims, $255.00 in all, go to the clearinghouse" in page
    assert f'name="claim" value="{first.pk}"' in page
    assert f'name="claim" value="{second.pk}"' in page
    assert "Clean" in page and str(first.patient) in page
    assert SubmissionBatch.objects.count() == 0


def test_confirming_sends_exactly_the_reviewed_claims(client, make_user):
    reviewed = _ready()
    not_reviewed = _ready()  # became ready after the page was shown
    client.force_login(make_user("Billing"))
    response = client.post(reverse("billing:submit"), {"claim": [reviewed.pk]})
    batch = SubmissionBatch.objects.get()
    assert response["Location"] == batch.get_absolute_url()
    assert list(batch.claims.all()) == [reviewed]
    not_reviewed.refresh_from_db()
    assert not_reviewed.status == "ready"


def test_a_claim_that_changed_since_the_review_is_left_out_and_named(client, make_user):
    stays = _ready()
    changed = _ready()
    changed.status = Claim.Status.DRAFT
    changed.save()
    client.force_login(make_user("Billing"))
    response = client.post(reverse("billing:submit"), {"claim": [stays.pk, changed.pk]})
    batch = SubmissionBatch.objects.get()
    assert list(batch.claims.all()) == [stays]
    assert _messages(response) == [
        f"{changed.claim_number} was left out: it is Draft now, not ready as it was "
        "on the review.",
        f"Batch {batch.isa_control_number:09d} with 1 claim(s) is on its way to the "
        "clearinghouse.",
    ]


def test_confirming_without_claims_sends_nothing(client, make_user):
    _ready()
    client.force_login(make_user("Billing"))
    response = client.post(reverse("billing:submit"), {"claim": ["x"]})
    assert response["Location"] == reverse("billing:submit-review")
    assert _messages(response) == [
        "No claim was on the review: open the review and confirm again."
    ]
    assert SubmissionBatch.objects.count() == 0


def test_an_empty_review_says_so(client, make_user):
    client.force_login(make_user("Billing"))
    page = client.get(reverse("billing:submit-review")).content.decode()
    assert "No claim is ready to submit." in page and 'id="submit-form"' not in page


def test_the_review_is_for_billing(client, make_user):
    client.force_login(make_user("Clinician"))
    assert client.get(reverse("billing:submit-review")).status_code == 403
