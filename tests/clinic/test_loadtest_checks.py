"""The checker of ``make loadtest`` / ``make chaos`` (loadtest/checks.py and
loadtest/audit.py) on a tiny run written by hand: it must catch a write a user was
told succeeded that is missing or doubled, a reminder sent twice or never, and
report what users saw during a fault and when they got through again."""

import json

import pytest

from loadtest import audit, pages
from loadtest.checks import answer_kind, fault_windows, report
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def _write(folder, name, rows):
    (folder / name).write_text("".join(json.dumps(row) + "\n" for row in rows))


def _counts(out: str, write: str) -> list[str]:
    """told ok, once, missing, twice: the table's row for ``write``."""
    [line] = [line for line in out.splitlines() if line.startswith(write + " ")]
    return line.split()[-4:]


def test_a_tiny_run_with_a_lost_and_a_doubled_write_fails(tmp_path, capsys):
    kept = AppointmentFactory()
    AppointmentFactory(patient=kept.patient, start=kept.start, end=kept.end)
    single = AppointmentFactory()
    PatientFactory(family_name="Loadabc")
    _write(
        tmp_path,
        "ledger.jsonl",
        [
            {"kind": "booking", "id": kept.pk},
            {"kind": "booking", "id": single.pk},
            {"kind": "booking", "id": 10**9},
            {"kind": "registration", "id": 1, "family_name": "Loadabc"},
        ],
    )
    (tmp_path / "window.json").write_text(json.dumps({"start": 0, "end": 2e9}))
    (tmp_path / "twilio.json").write_text("[]")
    _write(
        tmp_path,
        "faults.jsonl",
        [{"name": "PostgreSQL restart", "start": 100.0, "end": 102.0}],
    )
    _write(
        tmp_path,
        "answers.jsonl",
        [
            {"t": 99.0, "name": "desk: search", "kind": "200"},
            {"t": 100.5, "name": "desk: search", "kind": "503 page"},
            {"t": 102.5, "name": "desk: chart", "kind": "no answer"},
            {"t": 104.0, "name": "desk: chart", "kind": "200"},
        ],
    )

    assert report(tmp_path, audit) == 1

    out = capsys.readouterr().out
    # booking: 3 told, 1 once, 1 missing, 1 twice (two live visits, one start).
    assert [
        line.split()[-4:] for line in out.splitlines() if line.startswith("booking")
    ] == [["3", "1", "1", "1"]]
    assert [
        line.split()[-4:]
        for line in out.splitlines()
        if line.startswith("registration")
    ] == [["1", "1", "0", "0"]]
    assert "access-log chain verifies" in out
    assert "200: 1, 503 page: 1, no answer: 1" in out
    assert "tracebacks shown to users: 0" in out


def test_fault_windows_count_until_the_first_success_after_the_fault():
    answers = [
        {"t": 10.0, "kind": "503 page"},
        {"t": 21.0, "kind": "503 page"},
        {"t": 23.5, "kind": "302"},
        {"t": 30.0, "kind": "traceback"},
    ]
    fault = {"name": "Redis down 30 s", "start": 9.0, "end": 20.0}
    assert fault_windows([fault], answers) == [
        ["Redis down 30 s", "11", "302: 1, 503 page: 2", "3.5"]
    ]
    assert fault_windows([{**fault, "start": 25, "end": 26}], answers)[0][3] == "never"


def test_what_a_user_saw_and_the_forms_they_read():
    assert answer_kind(0, "") == "no answer"
    assert answer_kind(503, "<html><h1>temporarily unavailable</h1>") == "503 page"
    assert answer_kind(500, "Traceback (most recent call last)") == "traceback"
    page = (
        '<form method="post" action="/x/"><input type="hidden" name="a" value="1">'
        '<select name="s"><option value="">-</option><option value="2">b</option>'
        '</select><input type="checkbox" name="c"></form><a href="/p/1/?a=1&amp;b=2">'
    )
    form = pages.form(page, "/x/")
    assert (form.fields, form.options) == ({"a": "1", "s": "2"}, {"s": ["", "2"]})
    assert pages.links(page, r"/p/\d+/[^\"]*") == ["/p/1/?a=1&b=2"]
