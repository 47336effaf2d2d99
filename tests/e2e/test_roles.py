"""Each role logs in, sees its own home page, and logs out, in a real browser."""

import pytest

from clinic.permissions import ROLES
from tests.clinic.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page, username, password=PASSWORD):
    page.goto(page.base_url + "/")
    assert "/login/" in page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("role", ROLES)
def test_role_logs_in_to_its_home_page_and_out(page, make_user, role):
    make_user(role, username="walker", first_name="Wally", last_name="Walk")
    _log_in(page, "walker")

    assert page.locator("h1").inner_text() == "My work today"
    assert page.locator("#current-role").inner_text() == role
    assert page.locator("#home-role").inner_text() == role
    nav = page.get_by_role("navigation", name="Main navigation")
    staff_link = nav.get_by_role("link", name="Staff")
    assert staff_link.count() == (1 if role == "Administrator" else 0)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    assert "/login/" in page.url
    page.goto(page.base_url + "/")
    assert "/login/" in page.url
    assert page.console_errors == [], "no CSP violation or script error"


def test_idle_warning_offers_to_stay_signed_in(page, make_user, settings):
    settings.SESSION_IDLE_SECONDS = 130
    settings.SESSION_IDLE_WARNING_SECONDS = 128
    make_user("Nurse", username="nora")
    _log_in(page, "nora")
    dialog = page.locator("#idle-warning")
    dialog.wait_for(state="visible", timeout=10_000)
    assert "signed out in" in dialog.inner_text()
    with page.expect_response(lambda r: r.url.endswith("/session/keepalive/")) as info:
        page.get_by_role("button", name="Stay signed in").click()
    assert info.value.status == 204
    dialog.wait_for(state="hidden", timeout=5_000)


def test_a_locked_out_user_sees_why(page, make_user):
    make_user("Front desk", username="fran")
    for _ in range(5):
        _log_in(page, "fran", "wrong wrong wrong")
    _log_in(page, "fran")
    assert "Too many failed log-ins" in page.locator("#locked-message").inner_text()
