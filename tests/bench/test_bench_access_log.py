"""Benchmarks (make bench): figures printed, never asserted against a clock."""

import statistics
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from clinic.models import AccessLog
from clinic.services import access_log_record
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db

ROWS = 2000
RUNS = 5


def test_bench_access_log_write_and_verify(make_user):
    user = make_user("Nurse")
    patient = PatientFactory()
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    request.user = user
    write_rates = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for _ in range(ROWS // RUNS):
            access_log_record(
                user=user,
                action=AccessLog.Action.VIEW,
                patient=patient,
                request=request,
            )
        write_rates.append((ROWS // RUNS) / (time.perf_counter() - started))
    verify_times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        call_command("verify_access_log", stdout=StringIO())
        verify_times.append(time.perf_counter() - started)
    print(
        f"\naccess log: write {statistics.median(write_rates):.0f} rows/s "
        f"(median of {RUNS} runs of {ROWS // RUNS}); "
        f"verify {AccessLog.objects.count()} rows in "
        f"{statistics.median(verify_times) * 1000:.0f} ms (median of {RUNS})"
    )
    assert AccessLog.objects.count() == ROWS
