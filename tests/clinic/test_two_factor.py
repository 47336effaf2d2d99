"""Two-factor log-in: enrolment, the second step, recovery codes, trusted devices,
lock-out, roles that must enrol, and the administrators' reset.

Codes come from pyotp (an independent TOTP implementation) and the key the
enrolment page shows, never from django-otp's own code.
"""

import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from types import SimpleNamespace

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from clinic import two_factor
from clinic.two_factor import TRUSTED_COOKIE, WRONG_CODE
from tests.clinic.factories import PASSWORD
from tests.clinic.test_url_roles import ALL_PATTERNS
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db
User = get_user_model()
LOGIN = "/login/"
HOME = "/"
STEP = 30  # seconds per TOTP code


def _login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _code(secret: str, steps_ahead: int = 0) -> str:
    """The code an authenticator app would show ``steps_ahead`` periods from now."""
    return pyotp.TOTP(secret).at(time.time() + steps_ahead * STEP)


def _enrol(client) -> tuple[str, list[str]]:
    """Enrol through the pages as a person would: read the key off the setup page,
    type the app's code. Returns (the key, the recovery codes shown)."""
    page = client.get(reverse("clinic:two-factor-setup"))
    assert page.status_code == 200
    shown = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page.content.decode())
    secret = shown.group(1).replace(" ", "")
    done = client.post(reverse("clinic:two-factor-setup"), {"code": _code(secret)})
    assert done.status_code == 200
    body = done.content.decode()
    assert "Two-factor log-in is on" in body
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", body)
    return secret, codes


def _second_step(client, code, *, trust=False, ip="10.0.0.1"):
    data = {"code": code}
    if trust:
        data["trust_device"] = "on"
    return client.post(reverse("clinic:login-code"), data, REMOTE_ADDR=ip)


def _logged_in_as(client):
    response = client.get(HOME)
    if response.status_code != 200:
        return None
    return response.wsgi_request.user.get_username()


@pytest.fixture
def nora(make_user):
    return make_user("Nurse", username="nora")


@pytest.fixture
def enrolled(nora):
    """Nora, enrolled in a browser of her own that then logs out."""
    browser = Client()
    _login(browser, "nora")
    secret, codes = _enrol(browser)
    browser.post(reverse("clinic:logout"))
    return SimpleNamespace(user=nora, secret=secret, codes=codes)


def test_enrolment_shows_a_key_and_qr_code_and_ten_recovery_codes(client, nora):
    _login(client, "nora")
    page = client.get(reverse("clinic:two-factor-setup"))
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body
    secret = page.context["secret"].replace(" ", "")
    assert len(secret) == 32  # 20 random bytes in base32
    # Reloading the page shows the same key: the app may have scanned it already.
    again = client.get(reverse("clinic:two-factor-setup"))
    assert again.context["secret"].replace(" ", "") == secret

    wrong = client.post(reverse("clinic:two-factor-setup"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "That code does not match" in wrong.content.decode()
    assert two_factor.totp_device_of(nora) is None

    _secret, codes = _enrol(client)
    assert len(codes) == 10 == len(set(codes))
    device = two_factor.totp_device_of(nora)
    assert device is not None
    assert two_factor.recovery_codes_left(nora) == 10
    assert nora.history.latest().history_change_reason == "two-factor log-in set up"
    # Enrolling verifies this session: the pages open without logging in again.
    assert _logged_in_as(client) == "nora"


def test_enrolled_user_gives_a_totp_code_after_the_password(client, enrolled):
    response = _login(client, "nora")
    assert response.status_code == 302
    assert response["Location"] == reverse("clinic:login-code")
    # Password alone is not a log-in: no page opens yet.
    assert client.get(HOME).status_code == 302
    assert _logged_in_as(client) is None

    done = _second_step(client, _code(enrolled.secret, 1))
    assert done.status_code == 302
    assert done["Location"] == reverse("clinic:home")
    assert _logged_in_as(client) == "nora"
    user = User.objects.get(username="nora")
    assert user.last_login is not None


def test_the_second_step_keeps_the_next_address(client, enrolled):
    client.post(
        LOGIN + "?next=/patients/",
        {"username": "nora", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    done = _second_step(client, _code(enrolled.secret, 1))
    assert done["Location"] == "/patients/"


def test_a_code_used_once_is_refused_within_its_window(client, enrolled):
    code = _code(enrolled.secret, 1)
    _login(client, "nora")
    assert _second_step(client, code).status_code == 302
    client.post(reverse("clinic:logout"))

    other = Client()
    _login(other, "nora")
    again = _second_step(other, code)
    assert again.status_code == 200
    assert WRONG_CODE in again.content.decode()
    assert _logged_in_as(other) is None
    # The code the app showed at enrolment is used up too.
    third = Client()
    _login(third, "nora")
    assert _second_step(third, _code(enrolled.secret, 0)).status_code == 200


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abc", "x" * 40, "١٢٣٤٥٦"])
def test_bad_codes_get_a_message_and_log_no_one_in(client, enrolled, code):
    _login(client, "nora")
    response = _second_step(client, code)
    assert response.status_code == 200
    assert _logged_in_as(client) is None


def test_a_recovery_code_logs_in_once(client, enrolled):
    code = enrolled.codes[0]
    _login(client, "nora")
    done = _second_step(client, code.upper())
    assert done.status_code == 302
    home = client.get(HOME)
    assert "You logged in with a recovery code; 9 are left" in home.content.decode()
    assert two_factor.recovery_codes_left(enrolled.user) == 9
    client.post(reverse("clinic:logout"))

    _login(client, "nora")
    again = _second_step(client, code)
    assert again.status_code == 200
    assert WRONG_CODE in again.content.decode()
    assert _logged_in_as(client) is None


def test_new_recovery_codes_replace_the_old_ones(client, enrolled):
    _login(client, "nora")
    _second_step(client, _code(enrolled.secret, 1))
    response = client.post(reverse("clinic:two-factor-codes"))
    fresh = response.context["codes"]
    assert len(fresh) == 10 and not set(fresh) & set(enrolled.codes)
    client.post(reverse("clinic:logout"))
    _login(client, "nora")
    assert _second_step(client, fresh[0]).status_code == 302
    client.post(reverse("clinic:logout"))
    _login(client, "nora")
    old = _second_step(client, enrolled.codes[1])
    assert old.status_code == 200
    assert WRONG_CODE in old.content.decode()


def _trusted_login(client, secret):
    _login(client, "nora")
    done = _second_step(client, _code(secret, 1), trust=True)
    assert done.status_code == 302
    cookie = done.cookies[TRUSTED_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["max-age"] == 12 * 3600
    return cookie.value


def test_a_trusted_device_skips_the_second_step(client, enrolled):
    _trusted_login(client, enrolled.secret)
    client.post(reverse("clinic:logout"))
    response = _login(client, "nora")
    assert response["Location"] == reverse("clinic:home")
    assert _logged_in_as(client) == "nora"

    # Another browser (no cookie) still gives a code, and so does another user
    # presenting Nora's cookie.
    stranger = Client()
    assert _login(stranger, "nora")["Location"] == reverse("clinic:login-code")


def test_trust_ends_after_twelve_hours(client, enrolled, monkeypatch):
    hours = 3600
    with monkeypatch.context() as past:
        # The cookie is signed as if 12 h and 1 minute ago...
        issued = time.time() - 12 * hours - 60
        past.setattr(signing, "time", SimpleNamespace(time=lambda: issued))
        _trusted_login(client, enrolled.secret)
    client.post(reverse("clinic:logout"))
    # ...so now the code is asked for again.
    assert _login(client, "nora")["Location"] == reverse("clinic:login-code")

    with monkeypatch.context() as past:
        issued = time.time() - 12 * hours + 60  # a minute short of 12 h
        past.setattr(signing, "time", SimpleNamespace(time=lambda: issued))
        fresh = Client()
        _login(fresh, "nora")
        done = _second_step(fresh, _code(enrolled.secret, 2), trust=True)
        assert done.status_code == 302
    fresh.post(reverse("clinic:logout"))
    assert _login(fresh, "nora")["Location"] == reverse("clinic:home")


def test_trust_is_for_one_user_and_one_authenticator(client, enrolled, make_user):
    value = _trusted_login(client, enrolled.secret)
    client.post(reverse("clinic:logout"))
    # A forged or altered cookie is ignored.
    client.cookies[TRUSTED_COOKIE] = value[:-2] + "xx"
    assert _login(client, "nora")["Location"] == reverse("clinic:login-code")
    # Another enrolled user cannot use Nora's cookie.
    make_user("Nurse", username="olga")
    olga = Client()
    _login(olga, "olga")
    _enrol(olga)
    olga.post(reverse("clinic:logout"))
    olga.cookies[TRUSTED_COOKIE] = value
    assert _login(olga, "olga")["Location"] == reverse("clinic:login-code")


def test_wrong_codes_lock_the_account_through_the_same_counters(client, enrolled):
    _login(client, "nora", ip="10.0.0.7")
    for _attempt in range(4):
        response = _second_step(client, "000000", ip="10.0.0.7")
        assert response.status_code == 200
    locked = _second_step(client, "000000", ip="10.0.0.7")
    assert locked.status_code == 429
    assert "Too many failed log-ins for this user name" in locked.content.decode()
    # Locked: the right password is refused now, and the half-done log-in is gone.
    assert _login(Client(), "nora", ip="10.0.0.7").status_code == 429
    after = _second_step(client, _code(enrolled.secret, 1), ip="10.0.0.7")
    assert after["Location"] == reverse("clinic:login")
    assert _logged_in_as(client) is None
    # From another address the password step still works.
    assert _login(Client(), "nora", ip="10.9.9.9")["Location"] == reverse(
        "clinic:login-code"
    )


def test_wrong_codes_from_anywhere_slow_the_next_ones_down(client, enrolled):
    # Earlier wrong codes (from any address) made django-otp pause this account's
    # checks for 2**4 seconds: even the right code waits.
    device = two_factor.totp_device_of(enrolled.user)
    device.throttling_failure_count = 5
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    _login(client, "nora", ip="10.9.9.9")
    response = _second_step(client, _code(enrolled.secret, 1), ip="10.9.9.9")
    assert response.status_code == 200
    until = timezone.localtime(device.throttling_failure_timestamp) + timedelta(
        seconds=16
    )
    assert (
        f"Too many wrong codes for this account. Wait until {until:%H:%M:%S}"
        in response.content.decode()
    )
    assert _logged_in_as(client) is None


def test_password_failures_and_code_failures_add_up(client, enrolled):
    for _attempt in range(3):
        _login(Client(), "nora", "wrong wrong wrong", ip="10.0.0.8")
    _login(client, "nora", ip="10.0.0.8")
    assert _second_step(client, "000000", ip="10.0.0.8").status_code == 200
    assert _second_step(client, "000000", ip="10.0.0.8").status_code == 429


def test_the_second_step_page_without_a_password_step_asks_to_start_again(client):
    page = client.get(reverse("clinic:login-code"))
    assert page.status_code == 200
    assert 'id="login-code-expired"' in page.content.decode()
    posted = client.post(reverse("clinic:login-code"), {"code": "123456"})
    assert posted["Location"] == reverse("clinic:login")


def test_the_second_step_expires_after_five_minutes(client, enrolled):
    from clinic.views.accounts import LOGIN_PENDING

    _login(client, "nora")
    session = client.session
    pending = session[LOGIN_PENDING]
    pending["at"] -= 5 * 60 + 1
    session[LOGIN_PENDING] = pending
    session.save()
    response = _second_step(client, _code(enrolled.secret, 1))
    assert response["Location"] == reverse("clinic:login")
    assert _logged_in_as(client) is None


# --- Roles that must enrol --------------------------------------------------------


def test_production_requires_it_of_administrators_and_billing_by_default():
    from tests.clinic.test_platform import PROD_ENV, _settings_printed

    production = {**PROD_ENV, "OTP_REQUIRED_ROLES": None}
    roles = "s.OTP_REQUIRED_ROLES"
    assert _settings_printed(roles, production) == "['Administrator', 'Billing']"
    chosen = {**PROD_ENV, "OTP_REQUIRED_ROLES": "Administrator"}
    assert _settings_printed(roles, chosen) == "['Administrator']"
    embedded = {"DATABASE_URL": None, "OTP_REQUIRED_ROLES": None}
    assert _settings_printed(roles, embedded) == "[]"


def test_a_misspelt_required_role_stops_the_app_at_start():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, "OTP_REQUIRED_ROLES": "Administrator,Biling"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "OTP_REQUIRED_ROLES names no such role: Biling" in result.stderr


def test_a_role_that_must_enrol_reaches_no_page_before_it_does(
    client, make_user, settings
):
    settings.OTP_REQUIRED_ROLES = ["Administrator", "Billing"]
    make_user("Administrator", username="ada")
    assert _login(client, "ada").status_code == 302
    setup = reverse("clinic:two-factor-setup")
    not_a_page = {
        setup: 200,
        reverse("clinic:password-change"): 200,
        reverse("clinic:logout"): 405,  # POST only
        reverse("clinic:keepalive"): 405,
    }
    walked = 0
    for name, _callback in ALL_PATTERNS:
        try:
            url = reverse(name)
        except NoReverseMatch:  # needs arguments: a few such pages follow
            continue
        response = client.get(url)
        expected = not_a_page.get(url, 302)
        assert response.status_code == expected, (name, response.status_code)
        if expected == 302:
            assert response["Location"] == setup, name
        walked += 1
    assert walked > 40
    for url in ("/patients/1/", "/admin/", "/admin/django_rq/dashboard/", "/nosuch/"):
        assert client.get(url)["Location"] == setup, url
    assert client.post(reverse("clinic:staff-create"), {})["Location"] == setup

    _enrol(client)
    assert client.get(HOME).status_code == 200
    assert client.get(reverse("clinic:staff-list")).status_code == 200


def test_an_optional_role_may_enrol_or_not(client, nora, settings):
    settings.OTP_REQUIRED_ROLES = ["Administrator"]
    _login(client, "nora")
    assert client.get(HOME).status_code == 200
    page = client.get(reverse("clinic:two-factor"))
    assert "Your role may use it" in page.content.decode()


def test_a_new_administrator_changes_the_password_then_enrols(admin_client, settings):
    admin_client.post(
        reverse("clinic:staff-create"),
        {
            "username": "newadmin",
            "first_name": "Nia",
            "last_name": "Ward",
            "email": "",
            "role": "Administrator",
            "password": "correct horse battery staple",
        },
    )
    settings.OTP_REQUIRED_ROLES = ["Administrator"]
    client = Client()
    _login(client, "newadmin", "correct horse battery staple")
    assert client.get(HOME)["Location"] == reverse("clinic:password-change")
    client.post(
        reverse("clinic:password-change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": "a fresh long passphrase of mine",
            "new_password2": "a fresh long passphrase of mine",
        },
    )
    assert client.get(HOME)["Location"] == reverse("clinic:two-factor-setup")
    _enrol(client)
    assert client.get(HOME).status_code == 200


def test_a_session_that_skipped_the_second_step_must_sign_in_again(
    client, enrolled, settings
):
    settings.OTP_REQUIRED_ROLES = ["Nurse"]
    client.force_login(enrolled.user)  # e.g. a session from before enrolment
    response = client.get(HOME, follow=True)
    assert response.redirect_chain[-1][0] == reverse("clinic:login")
    assert "Sign in again, with a code" in response.content.decode()
    assert _logged_in_as(client) is None


# --- Administrators reset a lost device --------------------------------------------


def test_administrator_resets_a_device_with_a_reason_kept_in_history(
    admin_client, admin_user, enrolled
):
    nora = enrolled.user
    tablet = Client()
    _login(tablet, "nora")
    _second_step(tablet, _code(enrolled.secret, 1))
    assert _logged_in_as(tablet) == "nora"
    device = two_factor.totp_device_of(nora)

    edit = admin_client.get(reverse("clinic:staff-edit", args=[nora.pk]))
    assert "Reset two-factor device" in edit.content.decode()
    url = reverse("clinic:staff-two-factor-reset", args=[nora.pk])
    response = admin_client.post(url, {"reason": "lost her phone on the bus"})
    assert response["Location"] == reverse("clinic:staff-edit", args=[nora.pk])

    why = "two-factor reset by ada: lost her phone on the bus"
    assert two_factor.totp_device_of(nora) is None
    assert two_factor.recovery_codes_left(nora) == 0
    assert nora.history.latest().history_change_reason == why
    assert nora.history.latest().history_user == admin_user
    removed = device.history.model.objects.filter(id=device.pk).latest("history_id")
    assert (removed.history_type, removed.history_change_reason) == ("-", why)
    # The account's history page shows it.
    page = admin_client.get(reverse("clinic:history", args=["auth", "user", nora.pk]))
    assert why in page.content.decode()
    # Her sessions ended; she logs in with the password alone until she enrols.
    assert _logged_in_as(tablet) is None
    assert _login(Client(), "nora")["Location"] == reverse("clinic:home")


def test_a_reset_without_a_reason_changes_nothing(admin_client, enrolled):
    nora = enrolled.user
    url = reverse("clinic:staff-two-factor-reset", args=[nora.pk])
    response = admin_client.post(url, {"reason": "   "})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert two_factor.totp_device_of(nora) is not None
    assert two_factor.recovery_codes_left(nora) == 10


def test_resetting_an_account_without_a_device_says_so(admin_client, nora):
    url = reverse("clinic:staff-two-factor-reset", args=[nora.pk])
    response = admin_client.post(url, {"reason": "just in case"}, follow=True)
    assert "This account has no two-factor device to reset." in (
        response.content.decode()
    )
    assert not nora.history.filter(
        history_change_reason__startswith="two-factor reset"
    ).exists()


def test_only_administrators_reset_devices(client, enrolled, make_user):
    client.force_login(make_user("Billing"))
    url = reverse("clinic:staff-two-factor-reset", args=[enrolled.user.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert two_factor.totp_device_of(enrolled.user) is not None


def test_device_secrets_and_recovery_codes_stay_out_of_history(enrolled):
    device = two_factor.totp_device_of(enrolled.user)
    history_fields = {f.name for f in device.history.model._meta.fields}
    assert "key" not in history_fields
    from django_otp.plugins.otp_static.models import StaticToken

    token = StaticToken.objects.filter(device__user=enrolled.user).first()
    assert "token" not in {f.name for f in token.history.model._meta.fields}
    # Log-ins update the device's counters without a history row each.
    before = device.history.count()
    client = Client()
    _login(client, "nora")
    _second_step(client, _code(enrolled.secret, 1))
    assert device.history.count() == before


def test_the_second_step_costs_a_bounded_number_of_queries(
    client, enrolled, django_assert_max_num_queries
):
    _login(client, "nora")
    with django_assert_max_num_queries(40):
        assert _second_step(client, _code(enrolled.secret, 1)).status_code == 302


def test_sessions_of_others_survive_a_reset(admin_client, enrolled, make_user):
    make_user("Nurse", username="olga")
    olga = Client()
    _login(olga, "olga")
    url = reverse("clinic:staff-two-factor-reset", args=[enrolled.user.pk])
    admin_client.post(url, {"reason": "new phone"})
    assert _logged_in_as(olga) == "olga"
