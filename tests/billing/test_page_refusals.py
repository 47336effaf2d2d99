"""A refused form posted from the visit's or the claim's page shows that page
again with what was typed and why (it used to redirect and lose the input)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from billing.models import Claim
from billing.services.charges import NOT_EDITABLE
from tests.billing.factories import billed_claim

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_charge_refused_after_the_claim_went_out_says_why(client, make_user):
    claim = billed_claim()
    client.force_login(make_user("Billing"))
    claim.status = Claim.Status.SUBMITTED
    claim.save()
    response = client.post(
        reverse("billing:charge-add", args=[claim.appointment_id]),
        {"code": "36415", "units": "1", "diagnosis_pointers": "1"},
    )
    assert response.status_code == 200
    assert _messages(response) == [
        "The charge was not added: see the form.",
        NOT_EDITABLE,
    ]
    assert claim.appointment.charges.filter(code="36415").count() == 0


def test_a_bad_diagnosis_stays_on_the_visit_page_as_typed(client, make_user):
    claim = billed_claim()
    client.force_login(make_user("Billing"))
    response = client.post(
        reverse("billing:diagnosis-add", args=[claim.appointment_id]),
        {"code": "sugar typed by hand"},
    )
    assert response.status_code == 200
    assert _messages(response) == ["The diagnosis was not added: see the form."]
    page = response.content.decode()
    assert 'value="sugar typed by hand"' in page and 'id="diagnosis-form"' in page
    assert "“sugar typed by hand” is not in the ICD-10-CM FY2026" in page


def test_a_claim_edit_with_a_bad_place_of_service_is_refused(client, make_user):
    claim = billed_claim()
    client.force_login(make_user("Billing"))
    response = client.post(
        reverse("billing:claim-edit", args=[claim.pk]), {"place_of_service": "X1"}
    )
    assert response.status_code == 200
    assert _messages(response) == ["The claim was not saved: see the form."]
    page = response.content.decode()
    assert "Select a valid choice. X1 is not one of the available choices." in page
    assert '<option value="11">11 Office</option>' in page
    claim.refresh_from_db()
    assert claim.place_of_service == "11"


def test_an_empty_note_is_asked_for_again(client, make_user):
    claim = billed_claim()
    client.force_login(make_user("Billing"))
    response = client.post(reverse("billing:claim-note", args=[claim.pk]), {"text": ""})
    assert response.status_code == 200
    assert _messages(response) == ["A note needs some text."]
    assert not claim.notes.exists()


def test_a_claim_button_refused_redirects_with_the_reason(client, make_user):
    claim = billed_claim(diagnoses=())  # no diagnosis, so no pointer either
    client.force_login(make_user("Billing"))
    response = client.post(reverse("billing:claim-ready", args=[claim.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "billing:claim-detail", args=[claim.pk]
    )
    assert _messages(response) == [
        "The scrubber found 2 problem(s); fix them before the claim is ready."
    ]
