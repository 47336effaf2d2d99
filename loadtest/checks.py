"""After a run: did everything the users were told succeeded happen, exactly once?

``python -m loadtest.audit WORKDIR`` reads the run's ledger (what the app said
succeeded), the fake Twilio's log, the fault timetable and every answer users got,
and compares them with the database. Prints one table per question and exits 1
when a check fails. ``verdicts()`` and ``fault_windows()`` are plain functions on
rows, so the suite checks them on a tiny run (tests/clinic/test_loadtest_checks.py).
"""

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from loadtest.tables import table

SUCCESS_KINDS = {"200", "302"}


def answer_kind(status: int, body: str) -> str:
    """What a user saw: the app's page, its 503 page, a traceback, or nothing."""
    if status == 0:
        return "no answer"
    if "Traceback" in body or "Server Error (500)" in body:
        return "traceback"
    if status == 503:
        return "503 page" if "<html" in body.lower() else "bare 503"
    return str(status)


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def verdicts(told: dict[str, list[int]], found: dict[str, Counter]) -> list[list]:
    """Per kind of write: told ok, found exactly once, missing, more than once.
    ``found[kind]`` counts the rows the database holds for each told id."""
    rows = []
    for kind, ids in sorted(told.items()):
        counts = found.get(kind, Counter())
        once = sum(1 for i in set(ids) if counts[i] == 1)
        missing = sum(1 for i in set(ids) if counts[i] == 0)
        twice = sum(1 for i in set(ids) if counts[i] > 1)
        rows.append([kind, len(ids), once, missing, twice])
    return rows


def reminder_verdict(due: dict[tuple, str], messages: list[dict]) -> list:
    """``due``: the outbox rows due in the window ((number, text) -> status);
    ``messages``: what Twilio received. Each due text sent exactly once."""
    sent = Counter((message["to"], message["body"]) for message in messages)
    once = sum(1 for text in due if sent[text] == 1)
    never = sum(1 for text in due if sent[text] == 0)
    twice = sum(1 for text in due if sent[text] > 1)
    return ["reminders due in the window", len(due), once, never, twice]


def fault_windows(faults: list[dict], answers: list[dict]) -> list[list]:
    """Per fault: what users saw from its start until the first success after its
    end (counts by kind), and the seconds from its end to that first success."""
    rows = []
    for fault in faults:
        after = [a for a in answers if a["t"] >= fault["end"]]
        first_ok = next((a["t"] for a in after if a["kind"] in SUCCESS_KINDS), None)
        until = first_ok if first_ok is not None else float("inf")
        seen = Counter(a["kind"] for a in answers if fault["start"] <= a["t"] <= until)
        recovery = "never" if first_ok is None else f"{first_ok - fault['end']:.1f}"
        rows.append(
            [
                fault["name"],
                f"{fault['end'] - fault['start']:.0f}",
                ", ".join(f"{kind}: {n}" for kind, n in sorted(seen.items())),
                recovery,
            ]
        )
    return rows


def report(work: Path, database) -> int:
    """Print the tables; 1 when a check failed. ``database`` answers the
    questions about rows (``loadtest.audit``)."""
    ledger = read_jsonl(work / "ledger.jsonl")
    window = json.loads((work / "window.json").read_text())
    start, end = (datetime.fromtimestamp(window[k], UTC) for k in ("start", "end"))
    told: dict[str, list[int]] = {}
    for row in ledger:
        told.setdefault(row["kind"], []).append(row["id"])
    rows = verdicts(told, database.found(ledger))
    messages = json.loads((work / "twilio.json").read_text())
    rows.append(reminder_verdict(database.reminders_due(start, end), messages))
    print("\n== what users were told succeeded, against the database")
    print(table(["write", "told ok", "once", "missing", "twice"], rows))
    failed = any(row[3] or row[4] for row in rows)

    problems = database.integrity(start, end)
    print("\n== integrity")
    print(table(["check", "result"], [[k, v or "OK"] for k, v in problems.items()]))
    failed |= any(problems.values())

    faults = read_jsonl(work / "faults.jsonl")
    answers = read_jsonl(work / "answers.jsonl")
    rows = database.written(start, end)
    print(f"\n== what the run wrote ({len(answers)} requests answered)")
    per = [[k, n, f"{n / max(1, len(answers)):.2f}"] for k, n in rows.items()]
    print(table(["rows", "count", "per request"], per))
    if faults:
        print("\n== what users saw during each fault")
        print(
            table(
                ["fault", "lasted s", "answers until the first success", "s to ok"],
                fault_windows(faults, answers),
            )
        )
    tracebacks = sum(1 for a in answers if a["kind"] == "traceback")
    print(f"\ntracebacks shown to users: {tracebacks}")
    return 1 if failed or tracebacks else 0
