"""The printed tables: per request class (count, p50, p95, p99, errors) from
locust's ``--json-file`` (each class's response-time histogram), and the curve
over the user counts."""

import json
from collections import Counter
from pathlib import Path

TARGET_MS = 300


def uptime() -> str:
    """The machine's load average (1, 5, 15 minutes): the figures are only as
    quiet as the machine was."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _percentile(histogram: Counter, share: float) -> int:
    """The response time (ms) under which ``share`` of the requests fell."""
    wanted = share * sum(histogram.values())
    seen = 0
    for milliseconds in sorted(histogram):
        seen += histogram[milliseconds]
        if seen >= wanted:
            return milliseconds
    return 0


def _row(method: str, name: str, entries: list[dict]) -> dict:
    histogram = Counter()
    for entry in entries:
        histogram.update(
            {int(float(ms)): n for ms, n in entry["response_times"].items()}
        )
    count = sum(entry["num_requests"] for entry in entries)
    first = min((entry["start_time"] for entry in entries), default=0)
    last = max((entry["last_request_timestamp"] or 0 for entry in entries), default=0)
    return {
        "Type": method,
        "Name": name,
        "Request Count": str(count),
        "Failure Count": str(sum(entry["num_failures"] for entry in entries)),
        "50%": _percentile(histogram, 0.50),
        "95%": _percentile(histogram, 0.95),
        "99%": _percentile(histogram, 0.99),
        "Requests/s": count / (last - first) if last > first else 0.0,
    }


def read_stats(path: Path) -> list[dict]:
    """One row per request class and an "Aggregated" one, from the JSON file."""
    if not path.exists():
        return []
    entries = json.loads(path.read_text())
    rows = [
        _row(entry["method"], entry["name"], [entry])
        for entry in sorted(entries, key=lambda e: (e["name"], e["method"]))
    ]
    return [*rows, _row("", "Aggregated", entries)]


def _ms(row: dict, column: str) -> int:
    value = row.get(column) or "0"
    return 0 if value == "N/A" else round(float(value))


def table(header: list[str], rows: list[list]) -> str:
    cells = [header, *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def per_class(rows: list[dict]) -> str:
    body = []
    for row in rows:
        if row["Request Count"] == "0":
            continue
        name = row["Name"]
        if name != "Aggregated":
            name = f"{row['Type']} {name}"
        p95 = _ms(row, "95%")
        body.append(
            [
                name,
                row["Request Count"],
                _ms(row, "50%"),
                p95,
                _ms(row, "99%"),
                row["Failure Count"],
                "" if p95 <= TARGET_MS else f"> {TARGET_MS} ms",
            ]
        )
    return table(["request class", "count", "p50", "p95", "p99", "errors", ""], body)


def curve(steps: list[tuple[int, list[dict]]]) -> str:
    """Throughput and p95 by user count, and where it saturates: the first step
    whose p95 passes the target, and the first whose throughput grew by less
    than 70 % of the users it added."""
    body, over, flat, previous = [], None, None, None
    for users, rows in steps:
        total = next((r for r in rows if r["Name"] == "Aggregated"), None)
        if total is None:
            continue
        rate, p95 = float(total["Requests/s"]), _ms(total, "95%")
        worst = max(
            (r for r in rows if r["Name"] != "Aggregated"),
            key=lambda r: _ms(r, "95%"),
        )
        if over is None and p95 > TARGET_MS:
            over = users
        grew = rate / previous[1] if previous and previous[1] else None
        if flat is None and grew is not None and grew < 0.7 * users / previous[0]:
            flat = users
        failures = total["Failure Count"]
        worst_p95 = f"{_ms(worst, '95%')} ({worst['Name']})"
        body.append([users, f"{rate:.1f}", p95, worst_p95, failures])
        previous = (users, rate)
    text = table(["users", "req/s", "p95 ms", "worst class p95 ms", "errors"], body)
    text += "\n" + (
        f"p95 passes {TARGET_MS} ms from {over} users"
        if over
        else f"p95 within {TARGET_MS} ms at every step"
    )
    text += "; " + (
        f"throughput stops following the users at {flat}."
        if flat
        else "throughput still follows the users at the last step."
    )
    return text


def logins(path: Path, users: int) -> str:
    """How long the shift's logging in took (its last line for ``users``)."""
    lines = path.read_text().splitlines() if path.exists() else []
    rows = [json.loads(line) for line in lines]
    row = next((r for r in reversed(rows) if r["users"] == users), None)
    if row is None:
        return "log in: not every user got in"
    return (
        f"log in ({users} at once, not counted above): "
        f"p50 {row['p50'] * 1000:.0f} ms, slowest {row['max'] * 1000:.0f} ms"
    )


def unusual_answers(path: Path, since: float) -> str:
    """Answers other than 200 and 302 since ``since``, by class and kind."""
    lines = path.read_text().splitlines() if path.exists() else []
    seen = Counter(
        (row["name"], row["kind"])
        for row in map(json.loads, lines)
        if row["t"] >= since and row["kind"] not in ("200", "302")
    )
    if not seen:
        return "every answer a 200 or a 302"
    body = [[name, kind, n] for (name, kind), n in sorted(seen.items())]
    return table(["request class", "answer", "times"], body)
