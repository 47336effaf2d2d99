"""A NUL character (%00) in a query or a posted form is answered 400 with a message,
never a 500 (PostgreSQL refuses text holding NUL)."""

from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from clinic.middleware import NUL_IN_REQUEST, NulCharacterMiddleware

pytestmark = pytest.mark.django_db

MESSAGE = str(NUL_IN_REQUEST)


def _plain_get_paths(patterns, prefix=""):
    """Every page whose address takes no arguments (Django admin left out)."""
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or "<" in route:
                continue
            yield from _plain_get_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and "<" not in route:
            path = "/" + prefix + route
            if not any(ch in path for ch in "^$\\(?"):
                yield path


# The FHIR API answers a NUL itself, with an OperationOutcome (tests/fhir).
PATHS = sorted(
    path
    for path in set(_plain_get_paths(get_resolver().url_patterns))
    if not path.startswith(NulCharacterMiddleware.EXEMPT_PREFIXES)
)


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("Front desk", "/patients/?q=smi%00th"),
        ("Front desk", "/patients/?q=%00&suggest=1"),
        ("Nurse", "/mar/?patient=%00"),
        ("Nurse", "/mar/?wristband=00%0012345"),
        ("Clinician", "/diagnostics/?q=%00"),
        ("Nurse", "/diagnostics/hl7/?q=%00&status=error"),
        ("Front desk", "/alerts/outbox/?q=%00"),
        ("Front desk", "/alerts/outbox/?mrn=%00"),
        ("Billing", "/billing/claims/?q=%00"),
        ("Front desk", "/schedule/?date=2026-01-01%00"),
    ],
)
def test_a_nul_in_a_search_is_answered_400_with_a_message(client, make_user, role, url):
    client.force_login(make_user(role))
    response = client.get(url)
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_no_page_answers_a_nul_in_q_or_mrn_with_a_500(admin_client):
    assert len(PATHS) > 30
    failures = {}
    for path in PATHS:
        response = admin_client.get(path, {"q": "a\x00b", "mrn": "\x00"})
        if response.status_code != 400 or MESSAGE not in response.content.decode():
            failures[path] = response.status_code
    assert failures == {}


def test_a_nul_in_a_posted_form_is_refused_before_anything_changes(admin_client):
    from django.contrib.auth import get_user_model

    before = get_user_model().objects.count()
    response = admin_client.post(
        "/staff/new/",
        urlencode({"username": "eve\x00", "first_name": "Eve"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    # A multipart form is left to its fields, which refuse NUL with a message.
    response = admin_client.post("/staff/new/", {"username": "eve\x00"})
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert get_user_model().objects.count() == before


def test_a_nul_on_the_login_page_gets_the_message_too(client):
    response = client.get("/login/", {"next": "/\x00"})
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
