"""The practice clinic resets to the same state, only in practice mode."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from registration.models import Patient
from training import practice

pytestmark = pytest.mark.django_db(transaction=True)


def _state():
    return list(
        Patient.objects.order_by("pk").values_list("given_name", "family_name", "mrn")
    )


def test_reset_gives_the_same_clinic_each_time(settings, tmp_path, monkeypatch):
    settings.PRACTICE_MODE = True
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(practice, "PRACTICE_PATIENTS", 12)
    call_command("practice_clinic")
    first = _state()
    call_command("practice_clinic")
    again = _state()
    assert [(g, f) for g, f, _mrn in first] == [(g, f) for g, f, _mrn in again]
    assert [m for _g, _f, m in first] == [m for _g, _f, m in again]
    assert first[0][:2] == ("Maria", "Lopez")
    names = {(g, f) for g, f, _mrn in first}
    assert {("James", "Carter"), ("Robert", "Chen")} <= names
    assert practice.practice_reset_nightly(practice.timezone.now()) == 0  # done today


def test_reset_is_refused_outside_practice_mode(settings):
    settings.PRACTICE_MODE = False
    before = Patient.objects.count()
    with pytest.raises(CommandError, match="PRACTICE_MODE"):
        call_command("practice_clinic")
    assert Patient.objects.count() == before


def test_banner_on_every_page_in_practice_mode(settings, client, make_user):
    settings.PRACTICE_MODE = True
    assert b'id="practice-banner"' in client.get(reverse("clinic:login")).content
    client.force_login(make_user("Administrator"))
    page = client.get(reverse("training:exercises"))
    assert page.status_code == 200
    assert b'id="practice-banner"' in page.content
    settings.PRACTICE_MODE = False
    assert b"practice-banner" not in client.get(reverse("clinic:home")).content
