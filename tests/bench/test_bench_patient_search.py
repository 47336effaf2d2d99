"""Patient search on 1,000,000 patients (make bench): figures printed, not asserted.

The patients are generated in Python from Faker's US name frequencies and loaded
with COPY; the trigram and name-prefix indexes are built after the load. Each
query kind (name fragments "smi jo", full names, MRNs, dates of birth) is timed
three ways: the selector alone, the whole search page through Django's test client
(middleware, session, template), and the same search done the way the Django
admin's ``search_fields`` does it (icontains on each field, AND per word, with the
admin's full count for its paginator).

Targets (issue 3): selector p95 <= 10 ms, page p95 <= 50 ms, >= 50x faster than
the admin-style search.
"""

import io
import os
import random
import statistics
import time
from datetime import date, timedelta
from functools import reduce
from operator import and_

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from faker.providers.person.en_US import Provider as Names

from registration.models import Patient
from registration.mrn import mrn_from_number
from registration.search import parse_query
from registration.selectors import patient_search
from registration.selectors.patient_search import _filtered

pytestmark = pytest.mark.django_db

PATIENTS = int(os.environ.get("BENCH_PATIENTS", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "200"))
ADMIN_RUNS = int(os.environ.get("BENCH_ADMIN_RUNS", "12"))
FIRST_NUMBER = 3_000_000
TODAY = date(2026, 1, 1)

COLUMNS = [
    "mrn",
    "given_name",
    "middle_name",
    "family_name",
    "name_suffix",
    "preferred_name",
    "birth_date",
    "sex_at_birth",
    "gender_identity",
    "pronouns",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "phone_mobile",
    "phone_home",
    "email",
    "preferred_language",
    "interpreter_needed",
    "preferred_contact_method",
    "sms_consent",
    "sms_consent_method",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "status",
    "allergy_review",
    "duplicate_override_reason",
    "duplicate_override_mrns",
    "created_at",
]


def _weighted(names) -> tuple[list[str], list[float]]:
    if isinstance(names, dict):
        return list(names), list(names.values())
    names = list(names)
    return names, [1.0] * len(names)


def _generate(count: int, rng: random.Random):
    """Rows as COPY text lines, in chunks; also returns a sample for the queries."""
    female, female_w = _weighted(Names.first_names_female)
    male, male_w = _weighted(Names.first_names_male)
    family, family_w = _weighted(Names.last_names)
    chunk = 50_000
    sample = []
    for start in range(0, count, chunk):
        n = min(chunk, count - start)
        sexes = rng.choices("FM", k=n)
        females = rng.choices(female, female_w, k=n)
        males = rng.choices(male, male_w, k=n)
        families = rng.choices(family, family_w, k=n)
        days = [rng.randint(365, 95 * 365) for _ in range(n)]
        buffer = io.StringIO()
        for i in range(n):
            number = FIRST_NUMBER + start + i
            given = females[i] if sexes[i] == "F" else males[i]
            birth = TODAY - timedelta(days=days[i])
            phone = f"+1202{number % 10_000_000:07d}"
            buffer.write(
                f"{mrn_from_number(number)}\t{given}\t\t{families[i]}\t\t\t"
                f"{birth.isoformat()}\t{sexes[i]}\t\t\t1 Main St\t\tSpringfield\tIL\t"
                f"62701\tUS\t{phone}\t\t\ten\tf\tphone\tf\t\t\t\t\tactive\t"
                "not_asked\t\t\t2026-01-01 00:00:00+00\n"
            )
            if rng.random() < 0.0005:
                sample.append((mrn_from_number(number), given, families[i], birth))
        yield buffer.getvalue(), sample


def _load(count: int) -> list[tuple]:
    rng = random.Random(20261127)
    sample: list[tuple] = []
    table = Patient._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # Django's foreign keys are deferred; checked now, they leave no pending
        # trigger events that would block the index build below.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DROP INDEX IF EXISTS patient_search_text_trgm")
        cursor.execute("DROP INDEX IF EXISTS patient_name_prefix")
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for text, _sample in _generate(count, rng):
                copy.write(text)
                sample = _sample
        # Recreate the index exactly as migration 0004 does.
        from django.apps import apps as django_apps
        from django.utils.module_loading import import_string

        index = import_string(
            "registration.migrations.0004_patient_search_index._index"
        )
        with connection.schema_editor(atomic=False) as editor:
            editor.add_index(django_apps.get_model("registration", "Patient"), index())
            # And the name-prefix b-tree exactly as migration 0005 does.
            import_string(
                "registration.migrations.0005_patient_name_prefix_index.create_index"
            )(django_apps, editor)
        cursor.execute(f"ANALYZE {table}")
    return sample


def _timed(func, runs: int) -> list[float]:
    times = []
    for i in range(runs):
        started = time.perf_counter()
        func(i)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _admin_style(query: str):
    """What ModelAdmin.get_search_results does for search_fields
    ["mrn", "family_name", "given_name", "birth_date"], plus its paginator count."""
    fields = ["mrn", "family_name", "given_name", "birth_date"]
    words = query.split()
    condition = reduce(
        and_,
        [
            reduce(lambda a, b: a | b, [Q(**{f"{f}__icontains": w}) for f in fields])
            for w in words
        ],
    )
    rows = Patient.objects.filter(condition).order_by("family_name", "given_name")
    total = rows.count()
    return list(rows[:50]), total


def _plan_nodes(query: str) -> str:
    sql, params = _filtered(parse_query(query)).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]["Plan"]
    names = []

    def walk(node):
        label = node["Node Type"]
        if node.get("Index Name"):
            label += f" on {node['Index Name']}"
        names.append(label)
        for child in node.get("Plans", []):
            walk(child)

    walk(plan)
    return " > ".join(names)


def test_bench_patient_search_on_a_million_patients(client, make_user, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    # Render templates as a server does, without the test runner's instrumentation
    # (it copies every template context for the test client).
    from django.template import Template
    from django.test.utils import _TestState

    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)
    started = time.perf_counter()
    sample = _load(PATIENTS)
    load_seconds = time.perf_counter() - started
    assert Patient.objects.count() >= PATIENTS

    rng = random.Random(7)
    rng.shuffle(sample)
    kinds = {
        "name fragments": [f"{f[:3]} {g[:2]}".lower() for _m, g, f, _b in sample],
        "full name": [f"{f} {g}" for _m, g, f, _b in sample],
        "MRN": [m for m, _g, _f, _b in sample],
        "date of birth": [b.strftime("%m/%d/%Y") for _m, _g, _f, b in sample],
    }
    admin_queries = {
        "name fragments": kinds["name fragments"],
        "full name": kinds["full name"],
        "MRN": kinds["MRN"],
        "date of birth": [b.isoformat() for _m, _g, _f, b in sample],
    }
    client.force_login(make_user("Front desk"))
    url = reverse("registration:patient-list")
    # Warm the caches the way a running server has them warm.
    for queries in kinds.values():
        for query in queries[:20]:
            patient_search(query=query)
            client.get(url, {"q": query})

    lines = [
        f"\npatient search on {PATIENTS:,} patients "
        f"(generated and loaded with COPY + index build in {load_seconds:.0f} s)",
        f"plan for 'smi jo': {_plan_nodes('smi jo')}",
        f"{'query kind':<16}{'selector p50/p95 ms':>22}{'page p50/p95 ms':>20}"
        f"{'admin-style p50/p95 ms':>26}{'selector speed-up (p50)':>26}",
    ]
    for kind, queries in kinds.items():
        found = sum(1 for q in queries if patient_search(query=q).patients)
        selector = _timed(
            lambda i, q=queries: patient_search(query=q[i % len(q)]), RUNS
        )
        page = _timed(lambda i, q=queries: client.get(url, {"q": q[i % len(q)]}), RUNS)
        admin_q = admin_queries[kind]
        admin = _timed(lambda i, q=admin_q: _admin_style(q[i % len(q)]), ADMIN_RUNS)
        speedup = statistics.median(admin) / statistics.median(selector)
        lines.append(
            f"{kind:<16}"
            f"{_p(selector, 50):>11.2f} / {_p(selector, 95):<8.2f}"
            f"{_p(page, 50):>10.2f} / {_p(page, 95):<8.2f}"
            f"{_p(admin, 50):>13.1f} / {_p(admin, 95):<9.1f}"
            f"{speedup:>14.0f}x   ({found}/{len(queries)} with results)"
        )
    print("\n".join(lines))
