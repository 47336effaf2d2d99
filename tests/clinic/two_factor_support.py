"""What the two-factor tests share: logging in, the authenticator's codes, enrolling
through the pages as a person would. The fixtures ``nora`` and ``enrolled`` are in
``tests/clinic/conftest.py``."""

import re
import time

import pyotp
from django.urls import reverse

from tests.clinic.factories import PASSWORD

LOGIN = "/login/"
HOME = "/"
STEP = 30  # seconds per TOTP code


def login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    """The code an authenticator app would show ``steps_ahead`` periods from now."""
    return pyotp.TOTP(secret).at(time.time() + steps_ahead * STEP)


def enrol(client) -> tuple[str, list[str]]:
    """Enrol through the pages as a person would: read the key off the setup page,
    type the app's code. Returns (the key, the recovery codes shown)."""
    page = client.get(reverse("clinic:two-factor-setup"))
    assert page.status_code == 200
    shown = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page.content.decode())
    secret = shown.group(1).replace(" ", "")
    done = client.post(reverse("clinic:two-factor-setup"), {"code": totp_code(secret)})
    assert done.status_code == 200
    body = done.content.decode()
    assert "Two-factor log-in is on" in body
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", body)
    return secret, codes


def second_step(client, code, *, trust=False, ip="10.0.0.1"):
    data = {"code": code}
    if trust:
        data["trust_device"] = "on"
    return client.post(reverse("clinic:login-code"), data, REMOTE_ADDR=ip)


def logged_in_as(client):
    response = client.get(HOME)
    if response.status_code != 200:
        return None
    return response.wsgi_request.user.get_username()
