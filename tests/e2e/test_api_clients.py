"""An administrator registers an API client in a real browser, the client gets a
token with a signed assertion, and the administrator switches it off."""

import json
import os
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from smart.models import BackendClient
from tests.clinic.factories import PASSWORD
from tests.smart.support import Assertion, Key, jwks_text, token_form

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _token_request(url: str, form: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url + "/auth/token",
        data=urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _shot(page, name):
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_administrator_registers_a_client_and_switches_it_off(
    page, make_user, settings
):
    settings.PUBLIC_BASE_URL = page.base_url
    make_user("Administrator", username="ada")
    key = Key.ec()
    page.goto(page.base_url + "/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    page.get_by_role("link", name="API clients").click()
    page.get_by_role("link", name="Register a client").click()
    page.get_by_label("Name").fill("Hospital EHR")
    page.get_by_label("Public keys (JWK Set)").fill(
        json.dumps({"keys": [key.private_jwk()]})
    )
    page.get_by_label("Allowed scopes").fill("system/Patient.rs")
    page.get_by_role("button", name="Save client").click()
    page.wait_for_load_state()
    assert "is a private key" in page.locator("main").inner_text()

    page.get_by_label("Public keys (JWK Set)").fill(jwks_text(key))
    page.get_by_role("button", name="Save client").click()
    page.wait_for_load_state()
    ehr = BackendClient.objects.get()
    assert page.locator("#client-id").inner_text() == ehr.client_id
    assert page.locator("#token-url").inner_text() == page.base_url + "/auth/token"
    _shot(page, "api-client")

    status, body = _token_request(
        page.base_url, token_form(Assertion(ehr, key).signed())
    )
    assert status == 200 and body["scope"] == "system/Patient.rs"
    page.reload()
    assert page.locator("table").first.locator("tbody tr").count() == 1

    page.get_by_role("link", name="Switch off").click()
    page.get_by_label("Reason").fill("Contract ended")
    page.get_by_role("button", name="Switch off").click()
    page.wait_for_load_state()
    assert page.locator("#client-status").inner_text() == "Switched off"
    assert ehr.history.first().history_change_reason == "switched off: Contract ended"

    status, body = _token_request(
        page.base_url, token_form(Assertion(ehr, key).signed())
    )
    assert (status, body["error"]) == (401, "invalid_client")
    assert page.console_errors == [], "no CSP violation or script error"
