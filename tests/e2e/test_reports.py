"""An administrator exports a large report in the background (a real RQ worker on
the reports queue), watches the progress bar advance, downloads the files, and the
files prove themselves: the CSV's hash line and the PDF's last page carry the
SHA-256 of the rows, the same one the page shows."""

import hashlib
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from pypdf import PdfReader

from clinic.models import ReportExport
from tests.clinic.factories import PASSWORD
from tests.conftest import ROOT
from tests.registration.factories import PatientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROWS = 12_000


def _fill_access_log(rows: int, *, user, patient) -> None:
    """Many looks at one chart, straight in SQL (the chain is not checked here)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO clinic_accesslog
                (created_at, user_id, username, patient_id, action, object_type,
                 object_id, what, ip_address, user_agent, prev_hash, row_hash)
            SELECT now() - (n || ' seconds')::interval, %s, %s, %s, 'view',
                   'registration.patient', %s::text, 'chart', '10.0.0.7', 'e2e',
                   md5(n::text), md5(n::text) || md5((n + 1)::text)
            FROM generate_series(1, %s) AS n
            """,
            [user.pk, user.username, patient.pk, patient.pk, rows],
        )


def _start_worker(redis_url: str, storage_env: dict) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        **storage_env,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        # Beats (and so progress on the page) often enough to be seen mid-way.
        "BACKGROUND_HEARTBEAT_SECONDS": "0.2",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", "reports", "--burst"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _watch_progress(page, timeout: float = 240) -> list[int]:
    """The percentages the progress bar showed, in order, until the download."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    bar = page.locator("#export-progress [role=progressbar]")
    while time.monotonic() < deadline:
        done = page.locator("#export-download").count() > 0
        value = int(bar.get_attribute("aria-valuenow"))
        if not seen or seen[-1] != value:
            seen.append(value)
        if done:
            return seen
        page.wait_for_timeout(50)
    raise AssertionError(f"the export did not finish; the bar showed {seen}")


def _export_in_background(page, report_url: str, button: str, *worker_args):
    page.goto(report_url)
    page.get_by_role("button", name=button).click()
    page.wait_for_url("**/reports/exports/*/")
    assert page.locator("#export-status").inner_text().startswith("Waiting")
    worker = _start_worker(*worker_args)
    try:
        seen = _watch_progress(page)
    finally:
        output, _ = worker.communicate(timeout=240)
    assert worker.returncode == 0, output[-3000:]
    shown_hash = page.locator("#export-progress code").inner_text()
    with page.expect_download() as download_info:
        page.locator("#export-download").click()
    content = Path(download_info.value.path()).read_bytes()
    return seen, shown_hash, content


def test_an_administrator_exports_a_large_report_and_watches_it_run(
    page, make_user, redis_url, file_storage_env
):
    make_user("Administrator", username="ada")
    nurse = make_user("Nurse", username="nora")
    patient = PatientFactory(mrn="E2E100")
    _fill_access_log(ROWS, user=nurse, patient=patient)

    page.goto(page.base_url + "/login/?next=/reports/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    # Only the nurse's looks: the exports' own access-log rows stay out of the file.
    report_url = page.base_url + "/reports/access-log/?user=nora"

    seen, pdf_hash, pdf = _export_in_background(
        page, report_url, "Export PDF", redis_url, file_storage_env
    )
    assert seen[0] == 0 and seen[-1] == 100
    assert any(0 < value < 100 for value in seen), seen  # it advanced visibly
    assert seen == sorted(seen)
    assert pdf.startswith(b"%PDF")
    last_page = PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
    assert f"{ROWS} rows" in last_page
    assert pdf_hash in last_page.replace("\n", "")

    seen, csv_hash, csv_bytes = _export_in_background(
        page, report_url, "Export CSV in background", redis_url, file_storage_env
    )
    assert seen[-1] == 100
    body, hash_line = csv_bytes.rstrip(b"\n").rsplit(b"\n", 1)
    assert hash_line.decode() == f"# SHA-256 of the rows above: {csv_hash}"
    assert hashlib.sha256(body + b"\n").hexdigest() == csv_hash
    assert body.count(b"\n") == ROWS  # the header and every row
    assert b",nora,view,E2E100," in body
    # The same rows, so the same hash in both formats.
    assert csv_hash == pdf_hash
    exports = ReportExport.objects.order_by("pk")
    assert [(e.format, e.status, e.done_rows) for e in exports] == [
        ("pdf", "done", ROWS),
        ("csv", "done", ROWS),
    ]
    assert page.console_errors == []
