"""alerts is the bottom app: it imports no app above it, and the upper apps plug
their rules in through ``alerts.hooks`` (filled in their ``AppConfig.ready()``)."""

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from alerts import hooks, reminder_holds
from automations.reminders import grouping as reminder_grouping
from registration import messaging
from scheduling import sms_replies, waitlist_offers

ALERTS = Path(__file__).resolve().parents[2] / "alerts"
UPPER_APPS = {
    "registration",
    "scheduling",
    "automations",
    "medications",
    "diagnostics",
    "billing",
}
# The one way any app tells automations that something happened (the port the
# layering allows every app).
ALLOWED = {"automations.events"}
# Modules that still import upward while their owners move them. Empty: every
# module is inverted (import-linter's layers contract keeps it so for the whole
# tree). This list only shrinks: a module that no longer imports upward fails the
# second test until it is removed.
NOT_YET_INVERTED: set[str] = set()


def upward_imports(path: Path) -> list[str]:
    """``module:line`` of every import of an upper app in the file, wherever it
    is (module level or inside a function)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in UPPER_APPS and not any(
                name == ok or name.startswith(f"{ok}.") for ok in ALLOWED
            ):
                found.append((node.lineno, name))
                break
    return [f"{name}:{line}" for line, name in sorted(found)]


def _modules() -> dict[str, Path]:
    root = ALERTS.parent
    return {str(p.relative_to(root)): p for p in sorted(ALERTS.rglob("*.py"))}


def test_alerts_imports_no_upper_app():
    offenders = {
        name: upward_imports(path)
        for name, path in _modules().items()
        if name not in NOT_YET_INVERTED
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_not_yet_inverted_list_only_shrinks():
    modules = _modules()
    done = {
        name
        for name in NOT_YET_INVERTED
        if name not in modules or not upward_imports(modules[name])
    }
    assert done == set(), "no longer import upward: remove them from the list"


def test_the_walk_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "from automations.events import publish\nfrom automations import events\n"
        "def f():\n    from scheduling.models import Appointment\n"
        "import billing\n"
    )
    assert upward_imports(module) == ["scheduling.models.Appointment:4", "billing:5"]


def test_the_upper_apps_filled_every_port():
    """Filled in their AppConfig.ready(); that a "C" still confirms through them is
    tests/alerts/test_replies_and_offers.py."""
    assert [port.provider for port in hooks.PORTS] == [
        messaging.patient_by_mobile,
        messaging.patient_unreachable_reason,
        messaging.contact_unreachable_reason,
        messaging.patient_banner,
        messaging.mark_hidden,
        waitlist_offers.freed_slot_offer,
        reminder_grouping.reminder_group_text,
    ]
    handlers, holds = hooks.REPLY_HANDLERS, hooks.SEND_HOLDS
    assert handlers == [
        sms_replies.offer_answer,
        sms_replies.reminder_reply,
        sms_replies.next_visit_confirm,
    ]
    assert holds == [reminder_holds.reminder_hold]


def test_a_port_nobody_filled_refuses_rather_than_dropping_a_stop():
    port = hooks.Port("sms_opt_out", "registration")
    with pytest.raises(ImproperlyConfigured, match="registration registers it"):
        port(patient=None, how="replied STOP")
