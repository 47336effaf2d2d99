"""Clinic metrics: no-shows, cancellations, lead time, utilisation."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, timedelta

from django.utils import timezone

from clinic.clock import local_midnight
from clinic.svg_chart import Row as ChartRow
from scheduling.models import Appointment, Provider
from scheduling.slots import sessions_for

S = Appointment.Status


@dataclass
class Row:
    label: str
    total: int = 0
    no_show: int = 0
    cancelled: int = 0
    attended: int = 0
    lead_days_total: float = 0.0

    @property
    def no_show_rate(self) -> float:
        due = self.no_show + self.attended
        return self.no_show / due if due else 0.0

    @property
    def cancel_rate(self) -> float:
        return self.cancelled / self.total if self.total else 0.0

    @property
    def lead_days(self) -> float:
        return self.lead_days_total / self.total if self.total else 0.0


def clinic_metrics(*, start: date, end: date) -> dict:
    """Rates by provider and by type, and utilisation (booked ÷ available minutes)
    per provider per ISO week, for visits starting between two days (inclusive)."""
    window = (local_midnight(start), local_midnight(end + timedelta(days=1)))
    rows = Appointment.objects.filter(
        start__gte=window[0], start__lt=window[1]
    ).values_list(
        "provider_id", "appointment_type__name", "status", "start", "end", "booked_at"
    )
    providers = {p.pk: str(p) for p in Provider.objects.all()}
    by_provider: dict[int, Row] = {}
    by_type: dict[str, Row] = {}
    booked = defaultdict(float)  # (provider_id, week) -> minutes
    zone = timezone.get_default_timezone()
    for provider_id, type_name, status, a_start, a_end, booked_at in rows:
        for key, table, label in (
            (provider_id, by_provider, providers.get(provider_id, "?")),
            (type_name, by_type, type_name),
        ):
            row = table.setdefault(key, Row(label))
            row.total += 1
            row.no_show += status == S.NO_SHOW
            row.cancelled += status == S.CANCELLED
            row.attended += status in (S.ARRIVED, S.IN_ROOM, S.COMPLETED)
            row.lead_days_total += max(
                0.0, (a_start - booked_at).total_seconds() / 86400
            )
        if status != S.CANCELLED:
            week = timezone.localtime(a_start, zone).isocalendar()[:2]
            booked[(provider_id, week)] += (a_end - a_start).total_seconds() / 60
    available = defaultdict(float)
    sessions = sessions_for(provider_ids=list(providers), start_day=start, end_day=end)
    for provider_id, items in sessions.items():
        for s_start, s_end, _loc in items:
            week = timezone.localtime(s_start.astimezone(UTC), zone).isocalendar()[:2]
            available[(provider_id, week)] += (s_end - s_start).total_seconds() / 60
    utilisation = []
    for key in sorted(
        set(available) | set(booked), key=lambda k: (providers.get(k[0], ""), k[1])
    ):
        provider_id, (year, week) = key
        minutes_available = available.get(key, 0.0)
        minutes_booked = booked.get(key, 0.0)
        utilisation.append(
            {
                "provider": providers.get(provider_id, "?"),
                "week": f"{year}-W{week:02d}",
                "booked": round(minutes_booked),
                "available": round(minutes_available),
                "rate": minutes_booked / minutes_available
                if minutes_available
                else None,
            }
        )
    provider_rows = sorted(by_provider.values(), key=lambda r: r.label)
    return {
        "by_provider": provider_rows,
        "by_type": sorted(by_type.values(), key=lambda r: r.label),
        "utilisation": utilisation,
        "chart_rows": _chart_rows(provider_rows, utilisation),
    }


def _chart_rows(provider_rows, utilisation) -> list[ChartRow]:
    """Per provider: mean weekly utilisation and no-show rate, in per cent."""
    mean_use = defaultdict(list)
    for item in utilisation:
        if item["rate"] is not None:
            mean_use[item["provider"]].append(item["rate"])
    rows = []
    for row in provider_rows:
        rates = mean_use.get(row.label, [])
        use = sum(rates) / len(rates) if rates else 0.0
        rows.append(
            ChartRow(row.label, (round(use * 100), round(row.no_show_rate * 100)))
        )
    return rows


CSV_HEADER = [
    "section",
    "name",
    "week",
    "visits",
    "no_shows",
    "no_show_rate",
    "cancelled",
    "cancel_rate",
    "mean_lead_days",
    "booked_minutes",
    "available_minutes",
    "utilisation",
]


def metrics_csv_rows(metrics: dict) -> list[list]:
    """``clinic_metrics`` as CSV rows, the header first: rates by provider and by
    type, then utilisation per provider per week."""
    rows = [CSV_HEADER]
    for section, table in (
        ("provider", metrics["by_provider"]),
        ("type", metrics["by_type"]),
    ):
        rows += [
            [
                section,
                row.label,
                "",
                row.total,
                row.no_show,
                f"{row.no_show_rate:.3f}",
                row.cancelled,
                f"{row.cancel_rate:.3f}",
                f"{row.lead_days:.1f}",
                "",
                "",
                "",
            ]
            for row in table
        ]
    rows += [
        [
            "utilisation",
            item["provider"],
            item["week"],
            *[""] * 6,
            item["booked"],
            item["available"],
            "" if item["rate"] is None else f"{item['rate']:.3f}",
        ]
        for item in metrics["utilisation"]
    ]
    return rows
