"""Two-factor log-in: the roles that must enrol reach no page before they do."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.clinic.test_url_roles import ALL_PATTERNS
from tests.clinic.two_factor_support import (
    HOME,
    enrol,
    logged_in_as,
    login,
)
from tests.conftest import ROOT

pytestmark = pytest.mark.django_db
User = get_user_model()


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
    assert login(client, "ada").status_code == 302
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

    enrol(client)
    assert client.get(HOME).status_code == 200
    assert client.get(reverse("clinic:staff-list")).status_code == 200


def test_an_optional_role_may_enrol_or_not(client, nora, settings):
    settings.OTP_REQUIRED_ROLES = ["Administrator"]
    login(client, "nora")
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
    login(client, "newadmin", "correct horse battery staple")
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
    enrol(client)
    assert client.get(HOME).status_code == 200


def test_a_session_that_skipped_the_second_step_must_sign_in_again(
    client, enrolled, settings
):
    settings.OTP_REQUIRED_ROLES = ["Nurse"]
    client.force_login(enrolled.user)  # e.g. a session from before enrolment
    response = client.get(HOME, follow=True)
    assert response.redirect_chain[-1][0] == reverse("clinic:login")
    assert "Sign in again, with a code" in response.content.decode()
    assert logged_in_as(client) is None
