"""Report export benchmarks (make bench): figures printed, never asserted on time."""

import os
import statistics
import subprocess
import sys
import time

import pytest
from django.db import connection

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = int(os.environ.get("BENCH_ACCESS_ROWS", "1000000"))

# The peak is the exporting process's own high-water mark (VmHWM). Not
# getrusage(): ru_maxrss survives exec, so a child started by this (large) pytest
# process reports the parent's peak, not its own.
EXPORT = r"""
import sys, time, django


def high_water_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


django.setup()
from clinic.reports import get_report
from clinic.reports.base import Filters
from clinic.reports.csv_output import csv_chunks
ready_mb = high_water_mb()
started, cpu = time.perf_counter(), time.process_time()
size = 0
for chunk in csv_chunks(get_report("access-log"), Filters()):
    size += len(chunk)
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
print(f"{elapsed:.3f} {high_water_mb():.1f} {size} {ready_mb:.1f} {cpu:.3f}")
"""
RUNS = 5


def _fill_access_log(rows: int, patient_id: int, user_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO clinic_accesslog
                (created_at, user_id, username, patient_id, action, object_type,
                 object_id, what, ip_address, user_agent, prev_hash, row_hash)
            SELECT now() - (n || ' seconds')::interval, %s, 'nurse', %s, 'view',
                   'registration.patient', %s::text, 'chart', '10.0.0.1', 'bench',
                   md5(n::text), md5(n::text) || md5((n + 1)::text)
            FROM generate_series(1, %s) AS n
            """,
            [user_id, patient_id, patient_id, rows],
        )


def test_bench_csv_export_of_the_access_log(make_user):
    from tests.registration.factories import PatientFactory

    nurse = make_user("Nurse", username="nurse")
    patient = PatientFactory()
    started = time.perf_counter()
    _fill_access_log(ROWS, patient.pk, nurse.pk)
    print(f"\nfilled {ROWS} access-log rows in {time.perf_counter() - started:.1f} s")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    runs = []
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", EXPORT],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        runs.append(
            (float(out[0]), float(out[1]), int(out[2]), float(out[3]), float(out[4]))
        )
    elapsed = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[4] for r in runs)
    size = runs[0][2]
    print(
        f"CSV export of {ROWS} access-log rows: {ROWS / elapsed:,.0f} rows/s "
        f"(median of {RUNS}: {elapsed:.2f} s; runs "
        f"{', '.join(f'{ROWS / r[0]:,.0f}' for r in runs)}; "
        f"{size / 1e6:.0f} MB of CSV; the exporter's own CPU {cpu:.2f} s, the rest "
        "is PostgreSQL formatting rows and waiting for a core), "
        "peak memory of the exporting process "
        f"{max(r[1] for r in runs):.0f} MB, of which {max(r[3] for r in runs):.0f} MB "
        "before the first row (targets: >= 250,000 rows/s, <= 100 MB)"
    )
    assert size > ROWS * 50


def test_bench_pdf_of_ten_thousand_rows(make_user, tmp_path):
    from clinic.reports import get_report
    from clinic.reports.base import Filters
    from clinic.reports.pdf_output import write_pdf
    from tests.registration.factories import PatientFactory

    nurse = make_user("Nurse", username="nurse")
    _fill_access_log(10_000, PatientFactory().pk, nurse.pk)
    times, cpu = [], []
    for run in range(RUNS):
        started, cpu_started = time.perf_counter(), time.process_time()
        write_pdf(
            get_report("access-log"),
            Filters(),
            tmp_path / f"{run}.pdf",
            generated_by="bench",
        )
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    pages = (tmp_path / "0.pdf").stat().st_size
    print(
        f"\nPDF of 10,000 access-log rows: median {statistics.median(times):.2f} s "
        f"of {RUNS} runs ({', '.join(f'{t:.2f}' for t in times)}; CPU "
        f"{statistics.median(cpu):.2f} s; {pages / 1e6:.1f} MB; target <= 3 s)"
    )
