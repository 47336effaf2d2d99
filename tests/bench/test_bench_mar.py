"""Benchmark (make bench): the unit MAR page with 30 patients and 300 doses in the
window, fetched over HTTP from a live server (no test-client instrumentation).
Figures printed, never asserted against a clock."""

import os
import statistics
import time
import urllib.request

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.medications.factories import busy_unit

pytestmark = pytest.mark.django_db(transaction=True)

RUNS = 40


def _session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def test_bench_unit_mar_page(live_server, make_user, client):
    nurse = make_user("Nurse")
    location = busy_unit(patients=30, doses_per_patient=10, nurse=nurse)
    path = reverse("medications:mar") + f"?location={location.pk}"
    request = urllib.request.Request(
        live_server.url + path, headers={"Cookie": _session_cookie(nurse)}
    )

    def fetch() -> bytes:
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
            return response.read()

    for _ in range(3):  # warm up: templates, session write, connection
        body = fetch()
    assert body.count(b'class="badge mar-chip') == 300
    timings, cpu = [], []
    for _ in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        fetch()
        timings.append((time.perf_counter() - started) * 1000)
        # CPU time of this process (server thread and client): what the page
        # costs, whatever else the machine is busy with.
        cpu.append((time.process_time() - started_cpu) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    load = os.getloadavg()[0]

    client.force_login(nurse)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    print(
        f"\nunit MAR, 30 patients / 300 doses over HTTP: p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms ({RUNS} requests; target p95 <= 50 ms); "
        f"{len(queries)} SQL statements per request; CPU {statistics.median(cpu):.1f} "
        f"ms per request (median); load average {load:.1f} on {os.cpu_count()} CPUs"
    )
