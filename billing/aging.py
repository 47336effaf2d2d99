"""A/R aging: open insurance balances by payer and by days since the date of
service, for the billing reports page (table, chart) and its CSV."""

from decimal import Decimal

from django.utils import timezone

from billing.models import Claim

ZERO = Decimal("0.00")
AGING_BUCKETS = [
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("90+", 91, None),
]


def aging_labels() -> list[str]:
    return [label for label, _lo, _hi in AGING_BUCKETS]


def ar_aging(*, today=None) -> dict:
    """Open insurance balances by payer and age (days since the date of service):
    ``rows`` (payer, one cell per bucket, total), ``totals`` per bucket,
    ``grand_total``, and ``chart_rows`` (bucket, total) for a bar chart."""
    today = today or timezone.localdate()
    rows: dict[str, dict] = {}
    claims = Claim.objects.filter(status__in=Claim.OPEN_STATUSES).values_list(
        "payer__name",
        "service_date",
        "total_charge",
        "paid_amount",
        "adjustment_amount",
        "patient_responsibility",
    )
    totals = dict.fromkeys(aging_labels(), ZERO)
    for payer, day, charge, paid, adjusted, patient in claims.iterator():
        balance = charge - paid - adjusted - patient
        if balance <= 0:
            continue
        age = (today - day).days
        label = next(
            lbl
            for lbl, lo, hi in AGING_BUCKETS
            if age >= lo and (hi is None or age <= hi)
        )
        row = rows.setdefault(
            payer, {"payer": payer, **dict.fromkeys(aging_labels(), ZERO)}
        )
        row[label] += balance
        totals[label] += balance
    ordered = sorted(rows.values(), key=lambda r: r["payer"])
    for row in ordered:
        row["cells"] = [row[lbl] for lbl in aging_labels()]
        row["total"] = sum(row["cells"], ZERO)
    return {
        "rows": ordered,
        "totals": totals,
        "grand_total": sum(totals.values(), ZERO),
        "chart_rows": [(label, (amount,)) for label, amount in totals.items()],
    }


def aging_csv_rows(aging: dict) -> list[list]:
    """``ar_aging`` as CSV rows: a header, a row per payer, the all-payers row."""
    labels = aging_labels()
    return [
        ["Payer", *labels, "Total"],
        *(
            [row["payer"], *(row[lbl] for lbl in labels), row["total"]]
            for row in aging["rows"]
        ),
        ["All payers", *(aging["totals"][lbl] for lbl in labels), aging["grand_total"]],
    ]
