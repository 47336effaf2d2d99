"""Turnaround times by test and priority: ordered → collected → resulted →
reviewed, as medians in minutes."""

import io
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median

from clinic.csvfile import csv_writer
from clinic.svg_chart import Row as ChartRow
from diagnostics import selectors

STAGES = [
    ("order_to_collect", "Ordered → collected"),
    ("collect_to_result", "Collected → resulted"),
    ("result_to_review", "Resulted → reviewed"),
    ("order_to_result", "Ordered → resulted"),
]


@dataclass
class Row:
    test: str
    priority: str
    count: int = 0
    samples: dict = field(default_factory=lambda: {k: [] for k, _l in STAGES})

    def medians(self) -> dict:
        return {
            key: (round(median(values)) if values else None)
            for key, values in self.samples.items()
        }


def _minutes(start, end):
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / 60


def turnaround_rows(*, start: datetime, end: datetime) -> list[dict]:
    """One row per orderable (a panel counts as one, resulted when all its tests
    are) and priority."""
    rows: dict[tuple, Row] = {}
    for order in selectors.orders_for_turnaround(start=start, end=end):
        results = {o.test_id: o.resulted_at for o in order.observations.all()}
        priority = order.get_priority_display()
        groups: dict[str, list[int]] = {}
        for item in order.items.all():
            label = item.panel.name if item.panel else item.test.name
            groups.setdefault(label, []).append(item.test_id)
        for label, test_ids in groups.items():
            row = rows.setdefault((label, priority), Row(test=label, priority=priority))
            row.count += 1
            times = [results.get(test_id) for test_id in test_ids]
            resulted = None if None in times else max(times)
            spans = {
                "order_to_collect": _minutes(order.ordered_at, order.collected_at),
                "collect_to_result": _minutes(order.collected_at, resulted),
                "result_to_review": _minutes(resulted, order.reviewed_at),
                "order_to_result": _minutes(order.ordered_at, resulted),
            }
            for stage, value in spans.items():
                if value is not None:
                    row.samples[stage].append(value)
    out = []
    for (test, priority), row in sorted(rows.items()):
        out.append(
            {"test": test, "priority": priority, "count": row.count, **row.medians()}
        )
    return out


def turnaround_chart_rows(rows: list[dict]) -> list[ChartRow]:
    """Median ordered → resulted per test and priority, STAT rows highlighted."""
    return [
        ChartRow(
            f"{row['test']} ({row['priority']})",
            (row["order_to_result"],),
            highlight=row["priority"] == "STAT",
        )
        for row in rows
        if row["order_to_result"] is not None
    ]


def turnaround_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(
        [
            "test",
            "priority",
            "tests",
            *[f"median minutes {label}" for _k, label in STAGES],
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row["test"],
                row["priority"],
                row["count"],
                *["" if row[key] is None else row[key] for key, _l in STAGES],
            ]
        )
    return buffer.getvalue()
