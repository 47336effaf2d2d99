"""The token endpoint's edges: malformed requests, the throttle, the discovery
document, and one jti used by two requests at the same moment."""

import threading
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client, override_settings

from smart.models import AccessToken, UsedAssertion
from smart.sweepers import used_assertions_sweep
from tests.smart.support import (
    ASSERTION_TYPE,
    Assertion,
    register,
    token_form,
    token_url,
)

pytestmark = pytest.mark.django_db

URL = "/auth/token"
FORM = "application/x-www-form-urlencoded"


def _error(response, status=400, error="invalid_request"):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == error
    assert response["Cache-Control"] == "no-store"
    return response.json()


@pytest.mark.parametrize(
    "body",
    [
        "",
        "grant_type=client_credentials",
        "grant_type=client_credentials&client_assertion_type=x&client_assertion=y&scope=z",
        f"grant_type=client_credentials&client_assertion_type={ASSERTION_TYPE}&scope=s",
        f"grant_type=client_credentials&client_assertion_type={ASSERTION_TYPE}"
        "&client_assertion=a.b.c&scope=%20%20",
        "%ZZ=%ZZ&&&==",
        "grant_type=client_credentials&grant_type=client_credentials",
        "a=" + "x" * 3_000_000,
        "\xff\xfe".encode("latin-1").decode("latin-1"),
    ],
    ids=[
        "empty",
        "no-assertion",
        "wrong-assertion-type",
        "no-assertion-given",
        "blank-scope",
        "garbage",
        "parameter-twice",
        "too-big",
        "not-utf8",
    ],
)
def test_malformed_bodies_are_400_json(client, body):
    _error(client.post(URL, body.encode("latin-1"), content_type=FORM))


def test_other_grant_types_are_unsupported(client):
    form = token_form("x.y.z", grant_type="authorization_code")
    _error(
        client.post(URL, urlencode(form), content_type=FORM),
        error="unsupported_grant_type",
    )


@pytest.mark.parametrize(
    "assertion", ["", "not-a-jwt", "a.b.c", "eyJhbGciOiJSUzM4NCJ9.e30.", "x" * 5000]
)
def test_unreadable_assertions_are_invalid_client(client, assertion):
    form = token_form(assertion)
    status, error = (
        (400, "invalid_request") if not assertion else (401, "invalid_client")
    )
    _error(client.post(URL, urlencode(form), content_type=FORM), status, error)


def test_json_or_multipart_bodies_and_get_are_refused_as_json(client):
    _error(client.post(URL, {"grant_type": "client_credentials"}))
    _error(
        client.post(
            URL, '{"grant_type": "client_credentials"}', content_type="application/json"
        )
    )
    response = client.get(URL)
    _error(response, status=405)
    assert response["Allow"] == "POST"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_address_and_name_out(client, rsa_key, stranger_key):
    ehr = register(rsa_key)
    for _ in range(3):
        forged = Assertion(ehr, rsa_key).signed(signing_key=stranger_key.private)
        _error(
            client.post(URL, urlencode(token_form(forged)), content_type=FORM),
            401,
            "invalid_client",
        )
    good = Assertion(ehr, rsa_key).signed()
    response = client.post(URL, urlencode(token_form(good)), content_type=FORM)
    body = _error(response, status=429)
    assert "Too many" in body["error_description"]
    assert int(response["Retry-After"]) > 0
    assert not AccessToken.objects.exists()
    # Another address is not locked out.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert (
        other.post(
            URL,
            urlencode(token_form(Assertion(ehr, rsa_key).signed())),
            content_type=FORM,
        ).status_code
        == 200
    )


def test_the_failed_assertion_is_not_kept_in_the_throttle_record(
    client, rsa_key, stranger_key
):
    ehr = register(rsa_key)
    forged = Assertion(ehr, rsa_key).signed(signing_key=stranger_key.private)
    client.post(URL, urlencode(token_form(forged)), content_type=FORM)
    attempt = AccessAttempt.objects.get()
    assert attempt.username == f"smart-client:{ehr.client_id}"
    assert forged not in attempt.post_data


def test_the_discovery_document_names_the_token_endpoint(client):
    for url in (
        "/.well-known/smart-configuration",
        "/fhir/.well-known/smart-configuration",
    ):
        response = client.get(url)
        assert response.status_code == 200
        document = response.json()
        assert document["token_endpoint"] == token_url()
        assert document["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
        assert document["token_endpoint_auth_signing_alg_values_supported"] == [
            "RS384",
            "ES384",
        ]
        assert document["grant_types_supported"] == ["client_credentials"]
        assert "client-confidential-asymmetric" in document["capabilities"]
        assert "system/Patient.rs" in document["scopes_supported"]


def test_expired_jti_rows_are_swept(rsa_key, client):
    ehr = register(rsa_key)
    client.post(
        URL, urlencode(token_form(Assertion(ehr, rsa_key).signed())), content_type=FORM
    )
    row = UsedAssertion.objects.get()
    assert used_assertions_sweep(row.expires_at) == 0
    assert used_assertions_sweep(row.expires_at + timedelta(seconds=11)) == 1
    assert not UsedAssertion.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_jti_at_once_exactly_one_wins(rsa_key):
    ehr = register(rsa_key)
    form = urlencode(
        token_form(Assertion(ehr, rsa_key, claims={"jti": "race"}).signed())
    )
    barrier = threading.Barrier(2)
    statuses = []

    def request():
        try:
            barrier.wait()
            statuses.append(Client().post(URL, form, content_type=FORM).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 401]
    assert AccessToken.objects.filter(client=ehr).count() == 1
    assert UsedAssertion.objects.filter(client=ehr, jti="race").count() == 1
