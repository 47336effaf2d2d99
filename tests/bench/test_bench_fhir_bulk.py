"""Bulk export (make bench): all patients and their laboratory observations.

1,000,000 patients (loaded with COPY, as the patient-search benchmark does) and
1,000,000 observations (100,000 orders of ten results, bulk-inserted) are exported
by ``$export?_type=Patient,Observation`` in a separate Python process, the way a
worker runs it; that process prints its own peak memory.

Targets (issue #19): >= 20,000 resources/s, the exporting process under 150 MB.
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from itertools import cycle, islice

import pytest
from django.db import connection, transaction
from django.utils import timezone

from diagnostics.models import DiagnosticOrder, Observation, TestDefinition
from fhir.models import BulkExport
from fhir.registry import resource_types
from registration.models import Patient
from smart.models import BackendClient
from tests.bench.test_bench_patient_search import _load
from tests.diagnostics.factories import clinician

pytestmark = pytest.mark.django_db(transaction=True)

PATIENTS = int(os.environ.get("BENCH_PATIENTS", "1000000"))
OBSERVATIONS = int(os.environ.get("BENCH_OBSERVATIONS", "1000000"))
PER_ORDER = 10
BATCH = 10_000
# BENCH_PROFILE=1 prints the export's cProfile (cumulative) before its figures.
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

EXPORT = """
import resource, time
import django
django.setup()
from fhir import bulk
from fhir.bulk import bulk_export_run


def peak_kb():
    # This process's own peak (VmHWM): ru_maxrss survives exec and would report
    # the forking pytest process's size instead.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_after(step):
    def run(*args, **kwargs):
        result = step(*args, **kwargs)
        print(f"peak after {{step.__name__}}: {{peak_kb() // 1024}} MB")
        return result
    return run


if {profile}:
    bulk._write_type = peak_after(bulk._write_type)
    bulk._log_patients = peak_after(bulk._log_patients)
print(f"peak at start: {{peak_kb() // 1024}} MB")
started = time.perf_counter()
cpu_started = time.process_time()
if {profile}:
    import cProfile, pstats
    cProfile.run("bulk_export_run(export_id={pk})", "/tmp/bulk.prof")
    pstats.Stats("/tmp/bulk.prof").sort_stats("cumulative").print_stats(30)
    pstats.Stats("/tmp/bulk.prof").sort_stats("tottime").print_stats(25)
else:
    bulk_export_run(export_id={pk})
print(time.perf_counter() - started, time.process_time() - cpu_started, peak_kb())
"""


def _observations(doctor) -> None:
    tests = list(TestDefinition.objects.order_by("pk")[:PER_ORDER])
    patient_ids = Patient.objects.order_by("pk").values_list("pk", flat=True)
    now = timezone.now()
    orders = [
        DiagnosticOrder(
            patient_id=pid,
            accession=f"B{number:09d}",
            ordering_clinician=doctor,
            status="final",
            ordered_at=now - timedelta(days=2),
            resulted_at=now - timedelta(days=1),
        )
        for number, pid in enumerate(
            islice(cycle(patient_ids.iterator()), OBSERVATIONS // PER_ORDER)
        )
    ]
    for start in range(0, len(orders), BATCH):
        DiagnosticOrder.objects.bulk_create(orders[start : start + BATCH])
    rows = (
        Observation(
            order=order,
            test=test,
            value_numeric=Decimal("4.2"),
            unit="g/dL",
            reference_range="3.5-5.0",
            status="F",
            source="hl7",
            observed_at=now - timedelta(days=1),
            resulted_at=now - timedelta(hours=20),
        )
        for order in orders
        for test in tests
    )
    while batch := list(islice(rows, BATCH)):
        Observation.objects.bulk_create(batch)


def _env(redis_url, file_storage_env) -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        **file_storage_env,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
    }


def test_bench_bulk_export_of_patients_and_observations(redis_url, file_storage_env):
    assert "Observation" in resource_types(), "diagnostics.fhir declares Observation"
    started = time.perf_counter()
    with transaction.atomic():
        _load(PATIENTS)
    _observations(clinician())
    print(
        f"\nloaded {PATIENTS} patients, {OBSERVATIONS} observations "
        f"in {time.perf_counter() - started:.0f} s"
    )
    client = BackendClient.objects.create(name="bench", allowed_scopes="system/*.rs")
    export = BulkExport.objects.create(
        client=client,
        level=BulkExport.Level.SYSTEM,
        types=["Patient", "Observation"],
        request_url="bench",
    )
    load_before = os.getloadavg()
    result = subprocess.run(
        [sys.executable, "-c", EXPORT.format(pk=export.pk, profile=PROFILE)],
        cwd=ROOT,
        env=_env(redis_url, file_storage_env),
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    if PROFILE:
        print(result.stdout)
    seconds, cpu_seconds, peak_kb = result.stdout.split()[-3:]
    export.refresh_from_db()
    assert export.status == BulkExport.Status.DONE, export.error
    total = sum(f["count"] for f in export.files)
    assert total == PATIENTS + OBSERVATIONS
    rate = total / float(seconds)
    cpu_rate = total / float(cpu_seconds)
    peak_mb = int(peak_kb) / 1024
    # The machine is shared: resources per CPU-second of the exporting process
    # is the figure that does not move with the neighbours' load.
    print(
        f"bulk export: {total} resources in {float(seconds):.1f} s = {rate:,.0f} "
        f"resources/s (target >= 20,000); {float(cpu_seconds):.1f} CPU-s of the "
        f"exporting process = {cpu_rate:,.0f} resources per CPU-second; "
        f"exporting process peak {peak_mb:.0f} MB (target < 150 MB); machine load "
        f"{load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    assert rate >= 20_000 and peak_mb < 150
