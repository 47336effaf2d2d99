"""F10: one password tried against many user names from one address (password
spraying) is stopped by an address lock and told to the administrators; a few
colleagues' typos behind one NAT address lock nobody else."""

import ast
from pathlib import Path

import pytest
from django.test import Client

from alerts.login_spraying import spraying_alert_raise
from alerts.models import StaffAlert
from clinic import login_guard
from tests.clinic.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/login/"
SPRAYER = "10.0.0.66"


def _login(username, password=PASSWORD, ip=SPRAYER, client=None):
    return (client or Client()).post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_forty_names_with_one_password_from_one_address_are_stopped(
    make_user, settings
):
    assert (settings.AXES_ADDRESS_FAILURE_LIMIT, settings.AXES_FAILURE_LIMIT) == (
        20,
        5,
    )
    for number in range(5):
        make_user("Nurse", username=f"staff{number}")
    names = [f"staff{n}" for n in range(5)] + [f"guess{n}" for n in range(35)]
    answers = [_login(name, "Spring2026!") for name in names]
    codes = [response.status_code for response in answers]
    # Each name failed once: the name lock (5) never trips; the address lock does,
    # at its 20th failure.
    assert codes == [200] * 19 + [429] * 21
    assert "Too many failed log-ins from this network address" in (
        answers[-1].content.decode()
    )
    # While the address is locked, even a right password from it is refused...
    assert _login("staff0").status_code == 429
    # ...but the same account logs in from elsewhere.
    assert _login("staff0", ip="10.9.9.9").status_code == 302


def test_the_administrators_are_alerted_once_per_address(make_user, settings):
    make_user("Billing", username="bill")
    for number in range(settings.AXES_SPRAYING_ALERT_NAMES - 1):
        _login(f"guess{number}", "Spring2026!")
    assert not StaffAlert.objects.filter(kind="password_spraying").exists()
    _login("bill", "Spring2026!")
    for number in range(10, 20):
        _login(f"guess{number}", "Spring2026!")

    alert = StaffAlert.objects.get(kind="password_spraying")
    assert alert.assigned_role == "Administrator"
    assert alert.title == f"Failed log-ins for 8 user names from {SPRAYER}"
    assert "7 of them no account's" in alert.message
    assert "Staff accounts tried: bill." in alert.message
    assert alert.key == f"password-spraying:{SPRAYER}"
    # Typed names that are no account (perhaps a password typed in the wrong box)
    # are counted, never shown.
    assert "guess" not in alert.message


def test_the_alert_comes_from_the_notifier_alerts_registered(monkeypatch, settings):
    """The clinic core imports no app: alerts hands it its raiser when it loads.
    Without notifiers the guard still counts and locks, and tells nobody."""
    assert login_guard.SPRAYING_NOTIFIERS[0] is spraying_alert_raise
    assert len(login_guard.SPRAYING_NOTIFIERS) == 1
    tree = ast.parse(Path(login_guard.__file__).read_text())
    imported = {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert "alerts" not in imported

    monkeypatch.setattr(login_guard, "SPRAYING_NOTIFIERS", [])
    for number in range(settings.AXES_SPRAYING_ALERT_NAMES + 2):
        _login(f"guess{number}", "Spring2026!")
    assert not StaffAlert.objects.filter(kind="password_spraying").exists()
    assert login_guard.failed_names_watch(address=SPRAYER) is None


def test_colleagues_typos_behind_one_address_lock_only_their_own_names(make_user):
    for name in ("ann", "ben", "cat", "dan"):
        make_user("Front desk", username=name)
    for name in ("ann", "ben", "cat", "dan"):
        for _attempt in range(4):
            assert _login(name, "wrong wrong wrong").status_code == 200
    # 16 failures from the address: under its limit, and no alert for 4 names.
    for name in ("ann", "ben", "cat", "dan"):
        assert _login(name).status_code == 302
    assert not StaffAlert.objects.filter(kind="password_spraying").exists()


def test_a_good_log_in_does_not_wipe_the_addresses_count(make_user):
    make_user("Nurse", username="nora")
    for number in range(15):
        _login(f"guess{number}", "Spring2026!")
    # The attacker's one valid account logs in from the same address...
    assert _login("nora").status_code == 302
    # ...and the address still locks at 20 failures in all.
    codes = [_login(f"more{number}", "x").status_code for number in range(6)]
    assert codes == [200] * 4 + [429] * 2


def test_a_locked_name_still_logs_in_from_another_address(make_user):
    make_user("Nurse", username="nora")
    for _attempt in range(5):
        _login("nora", "wrong wrong wrong")
    assert _login("nora").status_code == 429
    assert _login("nora", ip="10.9.9.9").status_code == 302
