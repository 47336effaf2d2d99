"""An administrator, whose role must use two-factor log-in, enrols in a real browser
and logs in again with a code from an authenticator (pyotp, typed from the key the
page shows)."""

import time

import pyotp
import pytest

from tests.clinic.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _password_step(page, username):
    page.goto(page.base_url + "/")
    assert "/login/" in page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_administrator_enrols_then_logs_in_with_a_code(page, make_user, settings):
    settings.OTP_REQUIRED_ROLES = ["Administrator", "Billing"]
    make_user("Administrator", username="ada")
    _password_step(page, "ada")

    # No page before enrolling: straight to the set-up page, whatever is asked for.
    assert page.url.endswith("/account/two-factor/setup/")
    page.goto(page.base_url + "/staff/")
    assert page.url.endswith("/account/two-factor/setup/")
    assert page.locator("#two-factor-required").is_visible()
    assert page.locator("#totp-qr").evaluate("img => img.naturalWidth") > 0
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    app = pyotp.TOTP(secret)
    enrolled_at = time.time()
    page.get_by_label("Code from the app").fill(app.at(enrolled_at))
    page.get_by_role("button", name="Turn on two-factor log-in").click()
    page.wait_for_load_state()
    assert "Two-factor log-in is on" in page.locator("#two-factor-on").inner_text()
    assert page.locator("#recovery-codes li").count() == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "My work today"

    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    _password_step(page, "ada")
    assert page.url.endswith("/login/code/")
    # A code of a later period than the one used to enrol (a code is taken once):
    # the next period's while still in it, else the current one (a loaded
    # machine may take more than a period to get here).
    later = max(time.time(), enrolled_at + app.interval)
    page.get_by_label("Code").fill(app.at(later))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "My work today"
    assert page.locator("#current-role").inner_text() == "Administrator"
    assert page.console_errors == [], "no CSP violation or script error"
