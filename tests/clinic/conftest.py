"""Fixtures of the clinic tests."""

from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from tests.clinic.two_factor_support import enrol, login


@pytest.fixture
def nora(make_user):
    return make_user("Nurse", username="nora")


@pytest.fixture
def enrolled(nora):
    """Nora, enrolled in a browser of her own that then logs out."""
    browser = Client()
    login(browser, "nora")
    secret, codes = enrol(browser)
    browser.post(reverse("clinic:logout"))
    return SimpleNamespace(user=nora, secret=secret, codes=codes)
