"""Two-factor log-in: enrolment, the second step, recovery codes, trusted devices,
lock-out. Roles that must enrol: test_two_factor_roles.py; the administrators'
reset: test_two_factor_reset.py.

Codes come from pyotp (an independent TOTP implementation) and the key the
enrolment page shows, never from django-otp's own code.
"""

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic import two_factor
from clinic.two_factor import TRUSTED_COOKIE, WRONG_CODE
from tests.clinic.factories import PASSWORD
from tests.clinic.two_factor_support import (
    HOME,
    LOGIN,
    enrol,
    logged_in_as,
    login,
    second_step,
    totp_code,
)

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_enrolment_shows_a_key_and_qr_code_and_ten_recovery_codes(client, nora):
    login(client, "nora")
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

    _secret, codes = enrol(client)
    assert len(codes) == 10 == len(set(codes))
    device = two_factor.totp_device_of(nora)
    assert device is not None
    assert two_factor.recovery_codes_left(nora) == 10
    assert nora.history.latest().history_change_reason == "two-factor log-in set up"
    # Enrolling verifies this session: the pages open without logging in again.
    assert logged_in_as(client) == "nora"


def test_enrolled_user_gives_a_totp_code_after_the_password(client, enrolled):
    response = login(client, "nora")
    assert response.status_code == 302
    assert response["Location"] == reverse("clinic:login-code")
    # Password alone is not a log-in: no page opens yet.
    assert client.get(HOME).status_code == 302
    assert logged_in_as(client) is None

    done = second_step(client, totp_code(enrolled.secret, 1))
    assert done.status_code == 302
    assert done["Location"] == reverse("clinic:home")
    assert logged_in_as(client) == "nora"
    user = User.objects.get(username="nora")
    assert user.last_login is not None


def test_the_second_step_keeps_the_next_address(client, enrolled):
    client.post(
        LOGIN + "?next=/patients/",
        {"username": "nora", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
    )
    done = second_step(client, totp_code(enrolled.secret, 1))
    assert done["Location"] == "/patients/"


def test_a_code_used_once_is_refused_within_its_window(client, enrolled):
    code = totp_code(enrolled.secret, 1)
    login(client, "nora")
    assert second_step(client, code).status_code == 302
    client.post(reverse("clinic:logout"))

    other = Client()
    login(other, "nora")
    again = second_step(other, code)
    assert again.status_code == 200
    assert WRONG_CODE in again.content.decode()
    assert logged_in_as(other) is None
    # The code the app showed at enrolment is used up too.
    third = Client()
    login(third, "nora")
    assert second_step(third, totp_code(enrolled.secret, 0)).status_code == 200


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abc", "x" * 40, "١٢٣٤٥٦"])
def test_bad_codes_get_a_message_and_log_no_one_in(client, enrolled, code):
    login(client, "nora")
    response = second_step(client, code)
    assert response.status_code == 200
    assert logged_in_as(client) is None


def test_a_recovery_code_logs_in_once(client, enrolled):
    code = enrolled.codes[0]
    login(client, "nora")
    done = second_step(client, code.upper())
    assert done.status_code == 302
    home = client.get(HOME)
    assert "You logged in with a recovery code; 9 are left" in home.content.decode()
    assert two_factor.recovery_codes_left(enrolled.user) == 9
    client.post(reverse("clinic:logout"))

    login(client, "nora")
    again = second_step(client, code)
    assert again.status_code == 200
    assert WRONG_CODE in again.content.decode()
    assert logged_in_as(client) is None


def test_new_recovery_codes_replace_the_old_ones(client, enrolled):
    login(client, "nora")
    second_step(client, totp_code(enrolled.secret, 1))
    response = client.post(reverse("clinic:two-factor-codes"))
    fresh = response.context["codes"]
    assert len(fresh) == 10 and not set(fresh) & set(enrolled.codes)
    client.post(reverse("clinic:logout"))
    login(client, "nora")
    assert second_step(client, fresh[0]).status_code == 302
    client.post(reverse("clinic:logout"))
    login(client, "nora")
    old = second_step(client, enrolled.codes[1])
    assert old.status_code == 200
    assert WRONG_CODE in old.content.decode()


def _trusted_login(client, secret):
    login(client, "nora")
    done = second_step(client, totp_code(secret, 1), trust=True)
    assert done.status_code == 302
    cookie = done.cookies[TRUSTED_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["max-age"] == 12 * 3600
    return cookie.value


def test_a_trusted_device_skips_the_second_step(client, enrolled):
    _trusted_login(client, enrolled.secret)
    client.post(reverse("clinic:logout"))
    response = login(client, "nora")
    assert response["Location"] == reverse("clinic:home")
    assert logged_in_as(client) == "nora"

    # Another browser (no cookie) still gives a code, and so does another user
    # presenting Nora's cookie.
    stranger = Client()
    assert login(stranger, "nora")["Location"] == reverse("clinic:login-code")


def test_trust_ends_after_twelve_hours(client, enrolled, monkeypatch):
    hours = 3600
    with monkeypatch.context() as past:
        # The cookie is signed as if 12 h and 1 minute ago...
        issued = time.time() - 12 * hours - 60
        past.setattr(signing, "time", SimpleNamespace(time=lambda: issued))
        _trusted_login(client, enrolled.secret)
    client.post(reverse("clinic:logout"))
    # ...so now the code is asked for again.
    assert login(client, "nora")["Location"] == reverse("clinic:login-code")

    with monkeypatch.context() as past:
        issued = time.time() - 12 * hours + 60  # a minute short of 12 h
        past.setattr(signing, "time", SimpleNamespace(time=lambda: issued))
        fresh = Client()
        login(fresh, "nora")
        done = second_step(fresh, totp_code(enrolled.secret, 2), trust=True)
        assert done.status_code == 302
    fresh.post(reverse("clinic:logout"))
    assert login(fresh, "nora")["Location"] == reverse("clinic:home")


def test_trust_is_for_one_user_and_one_authenticator(client, enrolled, make_user):
    value = _trusted_login(client, enrolled.secret)
    client.post(reverse("clinic:logout"))
    # A forged or altered cookie is ignored.
    client.cookies[TRUSTED_COOKIE] = value[:-2] + "xx"
    assert login(client, "nora")["Location"] == reverse("clinic:login-code")
    # Another enrolled user cannot use Nora's cookie.
    make_user("Nurse", username="olga")
    olga = Client()
    login(olga, "olga")
    enrol(olga)
    olga.post(reverse("clinic:logout"))
    olga.cookies[TRUSTED_COOKIE] = value
    assert login(olga, "olga")["Location"] == reverse("clinic:login-code")


def test_wrong_codes_lock_the_account_through_the_same_counters(client, enrolled):
    login(client, "nora", ip="10.0.0.7")
    for _attempt in range(4):
        response = second_step(client, "000000", ip="10.0.0.7")
        assert response.status_code == 200
    locked = second_step(client, "000000", ip="10.0.0.7")
    assert locked.status_code == 429
    assert "Too many failed log-ins for this user name" in locked.content.decode()
    # Locked: the right password is refused now, and the half-done log-in is gone.
    assert login(Client(), "nora", ip="10.0.0.7").status_code == 429
    after = second_step(client, totp_code(enrolled.secret, 1), ip="10.0.0.7")
    assert after["Location"] == reverse("clinic:login")
    assert logged_in_as(client) is None
    # From another address the password step still works.
    assert login(Client(), "nora", ip="10.9.9.9")["Location"] == reverse(
        "clinic:login-code"
    )


def test_wrong_codes_from_anywhere_slow_the_next_ones_down(client, enrolled):
    # Earlier wrong codes (from any address) made django-otp pause this account's
    # checks for 2**4 seconds: even the right code waits.
    device = two_factor.totp_device_of(enrolled.user)
    device.throttling_failure_count = 5
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    login(client, "nora", ip="10.9.9.9")
    response = second_step(client, totp_code(enrolled.secret, 1), ip="10.9.9.9")
    assert response.status_code == 200
    until = timezone.localtime(device.throttling_failure_timestamp) + timedelta(
        seconds=16
    )
    assert (
        f"Too many wrong codes for this account. Wait until {until:%H:%M:%S}"
        in response.content.decode()
    )
    assert logged_in_as(client) is None


def test_password_failures_and_code_failures_add_up(client, enrolled):
    for _attempt in range(3):
        login(Client(), "nora", "wrong wrong wrong", ip="10.0.0.8")
    login(client, "nora", ip="10.0.0.8")
    assert second_step(client, "000000", ip="10.0.0.8").status_code == 200
    assert second_step(client, "000000", ip="10.0.0.8").status_code == 429


def test_the_second_step_page_without_a_password_step_asks_to_start_again(client):
    page = client.get(reverse("clinic:login-code"))
    assert page.status_code == 200
    assert 'id="login-code-expired"' in page.content.decode()
    posted = client.post(reverse("clinic:login-code"), {"code": "123456"})
    assert posted["Location"] == reverse("clinic:login")


def test_the_second_step_expires_after_five_minutes(client, enrolled):
    from clinic.views.accounts import LOGIN_PENDING

    login(client, "nora")
    session = client.session
    pending = session[LOGIN_PENDING]
    pending["at"] -= 5 * 60 + 1
    session[LOGIN_PENDING] = pending
    session.save()
    response = second_step(client, totp_code(enrolled.secret, 1))
    assert response["Location"] == reverse("clinic:login")
    assert logged_in_as(client) is None
