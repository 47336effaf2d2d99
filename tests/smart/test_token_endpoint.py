"""POST /auth/token: SMART Backend Services with real keys and signed assertions."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from smart.models import AccessToken, UsedAssertion, token_hash
from smart.services import client_switch
from smart.tokens import TokenRefused, grant_from_request
from tests.smart.support import Assertion, register, token_form

pytestmark = pytest.mark.django_db

URL = "/auth/token"
FORM = "application/x-www-form-urlencoded"


def _post(client, form):
    return client.post(URL, urlencode(form), content_type=FORM)


def _fhir_get(client, token):
    """The grant the token's bearer gets (the FHIR API's seam)."""
    request = RequestFactory().get(
        "/fhir/Patient", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    return grant_from_request(request)


def test_the_token_url_is_where_the_brief_says():
    assert reverse("smart:token") == URL


@pytest.mark.parametrize("which", ["rsa_key", "ec_key"])
def test_a_signed_assertion_gets_a_five_minute_token_for_the_scopes_asked(
    client, request, which
):
    key = request.getfixturevalue(which)
    ehr = register(key, scopes="system/*.rs\nsystem/Appointment.c")
    response = _post(
        client, token_form(Assertion(ehr, key).signed(), "system/Patient.rs")
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 300
    assert body["scope"] == "system/Patient.rs"
    assert response["Cache-Control"] == "no-store"
    row = AccessToken.objects.get(token_hash=token_hash(body["access_token"]))
    assert row.client == ehr and row.scopes == "system/Patient.rs"
    assert (
        timedelta(minutes=4, seconds=50)
        < row.expires_at - timezone.now()
        <= timedelta(minutes=5)
    )
    grant = _fhir_get(client, body["access_token"])
    assert grant.allows("Patient", "r") and not grant.allows("Observation", "r")


def _refused(response, error="invalid_client", status=401):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == error
    assert body["error_description"]
    assert "access_token" not in body
    assert not AccessToken.objects.exists()
    return body


def test_a_key_the_client_did_not_register_is_refused(client, rsa_key, stranger_key):
    ehr = register(rsa_key)
    assertion = Assertion(ehr, rsa_key).signed(signing_key=stranger_key.private)
    body = _refused(_post(client, token_form(assertion)))
    # The answer does not say which check failed.
    assert body["error_description"] == "The client could not be authenticated."


def test_a_kid_the_client_did_not_register_is_refused(client, rsa_key):
    ehr = register(rsa_key)
    _refused(
        _post(
            client,
            token_form(Assertion(ehr, rsa_key, headers={"kid": "other"}).signed()),
        )
    )


def test_the_kid_of_an_ec_key_with_an_rsa_signature_is_refused(client, rsa_key, ec_key):
    ehr = register(rsa_key, ec_key)
    assertion = Assertion(ehr, rsa_key, headers={"kid": ec_key.kid}).signed()
    _refused(_post(client, token_form(assertion)))


@pytest.mark.parametrize("algorithm", ["RS256", "HS256", "none", "PS384"])
def test_other_algorithms_are_refused(client, rsa_key, algorithm):
    ehr = register(rsa_key)
    signing_key = {
        "HS256": "a shared secret, long enough for sha-256",
        "none": None,
    }.get(algorithm, rsa_key.private)
    assertion = Assertion(ehr, rsa_key, algorithm=algorithm).signed(
        signing_key=signing_key if algorithm != "none" else ""
    )
    _refused(_post(client, token_form(assertion)))


def test_an_hs384_assertion_keyed_with_the_public_jwk_is_refused(client, rsa_key):
    """The classic confusion: the public key used as an HMAC secret."""
    ehr = register(rsa_key)
    secret = json.dumps(rsa_key.public_jwk()).encode()

    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    header = b64(json.dumps({"alg": "HS384", "kid": rsa_key.kid}).encode())
    payload = b64(
        json.dumps(
            {
                "iss": ehr.client_id,
                "sub": ehr.client_id,
                "aud": "http://127.0.0.1:8000/auth/token",
                "exp": int(timezone.now().timestamp()) + 60,
                "jti": "x",
            }
        ).encode()
    )
    signature = b64(hmac.new(secret, header + b"." + payload, hashlib.sha384).digest())
    _refused(
        _post(client, token_form(b".".join([header, payload, signature]).decode()))
    )


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"exp": -60}, id="expired"),
        pytest.param({"exp": 6 * 60}, id="more-than-5-minutes-ahead"),
        pytest.param({"exp": None}, id="no-exp"),
        pytest.param({"jti": None}, id="no-jti"),
        pytest.param({"aud": "https://elsewhere.example/auth/token"}, id="wrong-aud"),
        pytest.param({"aud": None}, id="no-aud"),
        pytest.param({"sub": "someone-else"}, id="iss-not-sub"),
        pytest.param({"iss": "someone-else"}, id="iss-not-client"),
    ],
)
def test_claims_out_of_bounds_are_refused(client, rsa_key, claims):
    ehr = register(rsa_key)
    now = int(timezone.now().timestamp())
    if claims.get("exp") is not None:
        claims = {**claims, "exp": now + claims["exp"]}
    _refused(_post(client, token_form(Assertion(ehr, rsa_key, claims=claims).signed())))


def test_exp_at_five_minutes_is_taken(client, rsa_key):
    ehr = register(rsa_key)
    exp = int(timezone.now().timestamp()) + 300
    response = _post(
        client, token_form(Assertion(ehr, rsa_key, claims={"exp": exp}).signed())
    )
    assert response.status_code == 200


def test_a_reused_jti_is_refused(client, rsa_key):
    ehr = register(rsa_key)
    assertion = Assertion(ehr, rsa_key, claims={"jti": "once"}).signed()
    assert _post(client, token_form(assertion)).status_code == 200
    again = Assertion(ehr, rsa_key, claims={"jti": "once"}).signed()
    response = _post(client, token_form(again))
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert AccessToken.objects.count() == 1
    assert UsedAssertion.objects.filter(client=ehr, jti="once").count() == 1


def test_an_unknown_client_is_refused(client, rsa_key):
    ehr = register(rsa_key)
    assertion = Assertion(
        ehr, rsa_key, claims={"iss": "nobody", "sub": "nobody"}
    ).signed()
    _refused(_post(client, token_form(assertion)))


def test_a_switched_off_client_is_refused(client, rsa_key, make_user):
    ehr = register(rsa_key)
    client_switch(
        client=ehr, on=False, reason="contract ended", actor=make_user("Administrator")
    )
    _refused(_post(client, token_form(Assertion(ehr, rsa_key).signed())))


@pytest.mark.parametrize(
    "scope",
    [
        "system/Observation.rs",
        "system/Patient.rsc",
        "system/*.r",
        "patient/Patient.rs",
        "system/Foo.r",
    ],
)
def test_a_scope_the_client_may_not_have_is_invalid_scope(client, rsa_key, scope):
    ehr = register(rsa_key, scopes="system/Patient.rs")
    _refused(
        _post(client, token_form(Assertion(ehr, rsa_key).signed(), scope)),
        error="invalid_scope",
        status=400,
    )


def test_a_narrower_scope_within_a_wildcard_is_granted(client, rsa_key):
    ehr = register(rsa_key, scopes="system/*.rs")
    response = _post(
        client,
        token_form(
            Assertion(ehr, rsa_key).signed(), "system/Patient.r system/Observation.rs"
        ),
    )
    assert response.json()["scope"] == "system/Patient.r system/Observation.rs"


def test_a_token_used_after_five_minutes_is_refused(client, rsa_key):
    ehr = register(rsa_key)
    token = _post(client, token_form(Assertion(ehr, rsa_key).signed())).json()[
        "access_token"
    ]
    assert _fhir_get(client, token).client == ehr
    row = AccessToken.objects.get(token_hash=token_hash(token))
    row.expires_at = row.issued_at + timedelta(minutes=5)
    row.issued_at -= timedelta(minutes=5, seconds=1)
    row.expires_at -= timedelta(minutes=5, seconds=1)
    row.save()
    with pytest.raises(TokenRefused) as refused:
        _fhir_get(client, token)
    assert (refused.value.status, refused.value.code) == (401, "expired")


def test_a_token_of_a_client_switched_off_after_issue_is_refused_at_once(
    client, rsa_key, make_user
):
    ehr = register(rsa_key)
    token = _post(client, token_form(Assertion(ehr, rsa_key).signed())).json()[
        "access_token"
    ]
    admin = make_user("Administrator")
    client_switch(client=ehr, on=False, reason="key leaked", actor=admin)
    with pytest.raises(TokenRefused):
        _fhir_get(client, token)
    # Switching it on again revives none of the tokens it held.
    client_switch(client=ehr, on=True, reason="new key", actor=admin)
    with pytest.raises(TokenRefused) as refused:
        _fhir_get(client, token)
    assert refused.value.status == 401
