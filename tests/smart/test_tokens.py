"""The bearer-token seam the FHIR API stands on."""

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from smart.models import AccessToken, BackendClient, token_hash
from smart.testing import issue_test_token
from smart.tokens import TokenRefused, grant_from_request, scope_allows

pytestmark = pytest.mark.django_db


def _request(header: str | None):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    return RequestFactory().get("/fhir/Patient", **extra)


@pytest.mark.parametrize(
    "scope, resource, interaction, allowed",
    [
        ("system/Patient.rs", "Patient", "r", True),
        ("system/Patient.rs", "Patient", "s", True),
        ("system/Patient.rs", "Patient", "c", False),
        ("system/Patient.rs", "Observation", "r", False),
        ("system/*.r", "Observation", "r", True),
        ("system/*.read", "Observation", "s", True),
        ("system/Appointment.write", "Appointment", "c", True),
        ("patient/Patient.rs", "Patient", "r", False),
        ("nonsense", "Patient", "r", False),
    ],
)
def test_scope_letters(scope, resource, interaction, allowed):
    assert scope_allows(scope, resource, interaction) is allowed


def test_a_token_is_stored_hashed_and_grants_its_scopes():
    token = issue_test_token(scopes=("system/Patient.rs",))
    assert not AccessToken.objects.filter(token_hash=token).exists()
    assert AccessToken.objects.filter(token_hash=token_hash(token)).exists()
    grant = grant_from_request(_request(f"Bearer {token}"))
    assert grant.allows("Patient", "s")
    assert not grant.allows("Observation", "r")
    assert grant.username == "fhir-client:test-ehr"


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer ", "Bearer nope"])
def test_no_or_unknown_token_is_401(header):
    with pytest.raises(TokenRefused) as refused:
        grant_from_request(_request(header))
    assert refused.value.status == 401


def test_expired_token_is_401_and_switched_off_client_is_403():
    token = issue_test_token()
    row = AccessToken.objects.get(token_hash=token_hash(token))
    row.expires_at = timezone.now() - timedelta(seconds=1)
    row.save()
    with pytest.raises(TokenRefused) as refused:
        grant_from_request(_request(f"Bearer {token}"))
    assert (refused.value.status, refused.value.code) == (401, "expired")

    fresh = issue_test_token()
    client = BackendClient.objects.get(name="test-ehr")
    client.is_active = False
    client.save()
    with pytest.raises(TokenRefused) as refused:
        grant_from_request(_request(f"Bearer {fresh}"))
    assert refused.value.status == 403
