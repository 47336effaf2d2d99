""" "A visit still expected" has one home: ``Appointment.UPCOMING_STATUSES``."""

import re

from django.conf import settings

from scheduling.models import Appointment
from tests.conftest import ROOT

# A list or tuple of exactly these two statuses, in either spelling.
COPY = re.compile(
    r"""[\[(]\s*["']scheduled["']\s*,\s*["']confirmed["']\s*,?\s*[\])]"""
    r"""|[\[(]\s*(\w+\.)*SCHEDULED\s*,\s*(\w+\.)*CONFIRMED\s*,?\s*[\])]"""
)


def test_upcoming_statuses_are_booked_and_confirmed():
    S = Appointment.Status
    assert Appointment.UPCOMING_STATUSES == [S.SCHEDULED, S.CONFIRMED]


def test_no_module_writes_the_upcoming_statuses_out_again():
    copies = []
    for label in settings.PROJECT_APPS:
        for path in (ROOT / label).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text()
            for match in COPY.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                copies.append(f"{path.relative_to(ROOT)}:{line}")
    allowed = {"scheduling/models/appointments.py:" + str(_definition_line())}
    assert set(copies) <= allowed, copies


def _definition_line() -> int:
    text = (ROOT / "scheduling" / "models" / "appointments.py").read_text()
    return text[: text.index('UPCOMING_STATUSES = ["scheduled"') + 20].count("\n") + 1
