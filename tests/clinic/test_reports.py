"""Compliance reports: content, filters, streamed CSV, PDF, background exports."""

import csv
import hashlib
import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db.models.query import QuerySet
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clinic.models import AccessLog, ReportExport
from clinic.reports import get_report
from clinic.reports.base import Filters
from clinic.reports.csv_output import HASH_LINE, csv_chunks, csv_lines
from clinic.reports.pdf_output import write_pdf
from clinic.services import access_log_record, staff_deactivate
from clinic.storage import exports_storage
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import LocationFactory

pytestmark = pytest.mark.django_db


def _look(user, patient, what="chart"):
    request = RequestFactory().get("/", REMOTE_ADDR="10.2.3.4")
    return access_log_record(
        user=user,
        action="view",
        patient=patient,
        obj=patient,
        what=what,
        request=request,
    )


def _csv_text(report, filters):
    return "".join(csv_lines(report, filters))


def test_access_log_report_answers_who_looked_at_this_patient(make_user):
    nora, cal = (
        make_user("Nurse", username="nora"),
        make_user("Clinician", username="cal"),
    )
    jane, john = PatientFactory(mrn="M1"), PatientFactory(mrn="M2")
    _look(nora, jane)
    _look(cal, jane)
    _look(cal, john)
    report = get_report("access-log")
    rows = list(report.rows(Filters(patient=jane)))
    assert [r["username"] for r in rows] == ["nora", "cal"]
    assert [r["username"] for r in report.rows(Filters(username="cal"))] == [
        "cal",
        "cal",
    ]
    tomorrow = timezone.now() + timedelta(days=1)
    assert list(report.rows(Filters(date_from=tomorrow))) == []
    cells = report.cells(rows[0])
    assert cells[1:5] == [
        "nora",
        "view",
        "M1",
        f"{jane.family_name}, {jane.given_name}",
    ]
    assert cells[7] == "10.2.3.4"


def test_change_history_report_shows_field_changes_and_reasons(admin_user, make_user):
    location = LocationFactory(name="Old name")
    location.name = "New name"
    location._change_reason = "renamed by the owner"
    location.save()
    nurse = make_user("Nurse", username="nora")
    staff_deactivate(user=nurse, reason="left", actor=admin_user)
    report = get_report("change-history")

    rows = [
        report.with_changes(r) for r in report.rows(Filters(kind="scheduling.location"))
    ]
    assert [r["history_type"] for r in rows] == ["~", "+"]
    cells = report.cells(rows[0])
    assert cells[3] == "Changed"
    assert "name: Old name → New name" in cells[4]
    assert cells[5] == "renamed by the owner"

    users = [report.with_changes(r) for r in report.rows(Filters(kind="auth.user"))]
    deactivation = next(
        r for r in users if r["history_change_reason"] == "deactivated: left"
    )
    assert "active: Yes → No" in report.cells(deactivation)[4]


def test_user_access_review_flags_idle_locked_and_inactive(make_user):
    old = make_user("Billing", username="old")
    old.last_login = timezone.now() - timedelta(days=120)
    old.save()
    fresh = make_user("Billing", username="fresh")
    fresh.last_login = timezone.now()
    fresh.save()
    gone = make_user("Nurse", username="gone")
    gone.is_active = False
    gone.save()
    report = get_report("user-access")
    assert [u.username for u in report.rows(Filters(kind="idle"))] == ["old"]
    assert [u.username for u in report.rows(Filters(kind="inactive"))] == ["gone"]
    cells = {u.username: report.cells(u) for u in report.rows(Filters())}
    assert cells["old"][5] == "yes" and cells["fresh"][5] == ""


def test_streamed_csv_never_loads_all_rows_and_proves_itself(make_user, monkeypatch):
    nurse = make_user("Nurse")
    patient = PatientFactory()
    for _ in range(45):
        _look(nurse, patient)
    report = get_report("access-log")

    def refuse(self):
        raise AssertionError("the export loaded a whole queryset into memory")

    monkeypatch.setattr("clinic.reports.csv_output.CSV_CHUNK_ROWS", 10)
    monkeypatch.setattr(QuerySet, "_fetch_all", refuse)
    chunks = list(csv_lines(report, Filters()))
    monkeypatch.undo()
    assert len(chunks) >= 6  # header+rows come out in chunks, then the hash line
    text = "".join(chunks)
    body, last = text.rstrip("\n").rsplit("\n", 1)
    assert last == HASH_LINE + hashlib.sha256((body + "\n").encode()).hexdigest()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["When", "User", "Action"]
    assert len(rows) == 46


def test_csv_rows_come_out_in_fixed_chunks_never_all_at_once(make_user, monkeypatch):
    """PostgreSQL writes the access log's CSV (COPY): the export holds one chunk of
    rows at a time, and its text is what Python's csv module writes for the same
    cells (so the CSV, the PDF and the on-screen report agree on the hash)."""
    nurse = make_user("Nurse")
    patient = PatientFactory()
    for _ in range(45):
        _look(nurse, patient, what='chart, "quoted"')
    access_log_record(user=nurse, action="view", what="")  # no patient, no IP
    report = get_report("access-log")

    def refuse(self):
        raise AssertionError("the export loaded a whole queryset into memory")

    monkeypatch.setattr("clinic.reports.csv_output.CSV_CHUNK_ROWS", 10)
    monkeypatch.setattr(QuerySet, "_fetch_all", refuse)
    chunks = list(csv_chunks(report, Filters()))
    monkeypatch.undo()
    header, *data, hash_line = chunks
    assert [chunk.count(b"\n") for chunk in data] == [10, 10, 10, 10, 6]
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow([str(column.header) for column in report.columns])
    writer.writerows(report.cells(row) for row in report.rows(Filters()))
    assert b"".join([header, *data]).decode() == expected.getvalue()
    assert hash_line.decode() == (
        HASH_LINE + hashlib.sha256(expected.getvalue().encode()).hexdigest() + "\n"
    )


def test_csv_of_a_python_formatted_report_reads_the_database_in_chunks(
    make_user, monkeypatch
):
    """A report without database-formatted text goes through a server-side cursor,
    EXPORT_FETCH_ROWS rows per fetch: never the whole result at once."""
    from django.db.models.sql import compiler

    nurse = make_user("Nurse")
    patient = PatientFactory()
    for _ in range(45):
        _look(nurse, patient)
    report = get_report("access-log")
    monkeypatch.setattr(type(report), "text_rows", lambda self, filters: None)
    monkeypatch.setattr("clinic.reports.base.EXPORT_FETCH_ROWS", 10)
    monkeypatch.setattr("clinic.reports.csv_output.CSV_CHUNK_ROWS", 10)
    fetches = []
    original = compiler.cursor_iter

    def counting_cursor_iter(cursor, sentinel, col_count, itersize):
        fetches.append(("server-side", getattr(cursor.cursor, "name", None)))
        for rows in original(cursor, sentinel, col_count, itersize):
            fetches.append(len(rows))
            yield rows

    monkeypatch.setattr(compiler, "cursor_iter", counting_cursor_iter)
    text = "".join(csv_lines(report, Filters()))
    assert fetches[0][1]  # a named (server-side) cursor
    assert fetches[1:] == [10, 10, 10, 10, 5]
    assert len(text.splitlines()) == 1 + 45 + 1


def test_csv_download_is_streamed_and_logged(admin_client, admin_user, make_user):
    patient = PatientFactory(mrn="MX1")
    _look(make_user("Nurse"), patient)
    response = admin_client.get(
        reverse("clinic:report-csv", args=["access-log"]), {"patient": "MX1"}
    )
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    assert "MX1" in text and text.splitlines()[-1].startswith(HASH_LINE)
    export_log = AccessLog.objects.filter(action="export").get()
    assert (export_log.user, export_log.patient) == (admin_user, patient)
    assert "report access-log (csv)" in export_log.what


def test_bad_filters_get_a_message_not_a_500(admin_client):
    url = reverse("clinic:report", args=["access-log"])
    response = admin_client.get(
        url, {"date_from": "2026-05-01", "date_to": "2026-04-01"}
    )
    assert response.status_code == 200
    assert "The start date is after the end date." in response.content.decode()
    response = admin_client.get(url, {"patient": "NOPE", "user": "ghost"})
    body = response.content.decode()
    assert "No patient has that MRN." in body
    assert "No staff account has that user name." in body
    assert admin_client.get(url, {"date_from": "yesterday"}).status_code == 200
    assert admin_client.get(reverse("clinic:report", args=["nope"])).status_code == 404


def test_viewing_a_report_page_is_logged(admin_client, admin_user):
    admin_client.get(reverse("clinic:report", args=["user-access"]), {"page": "1"})
    entry = AccessLog.objects.get(user=admin_user)
    assert entry.what.startswith("report user-access page 1")


def test_pdf_has_filters_page_numbers_and_the_hash_of_its_rows(tmp_path, make_user):
    patient = PatientFactory(mrn="PDF1")
    nurse = make_user("Nurse", username="nora")
    for _ in range(70):
        _look(nurse, patient)
    report = get_report("access-log")
    filters = Filters(patient=patient)
    path = tmp_path / "report.pdf"
    digest = write_pdf(report, filters, path, generated_by="ada")
    pages = PdfReader(str(path)).pages
    text = "\n".join(page.extract_text() for page in pages)
    assert len(pages) == 3  # 30 rows a page
    assert "PHI access log" in text
    assert "Filters: patient PDF1" in text
    assert "Generated by ada" in text
    assert "page 1 of 3" in text and "page 3 of 3" in text
    expected = (
        _csv_text(report, filters).rstrip("\n").rsplit("\n", 1)[-1][len(HASH_LINE) :]
    )
    assert digest == expected
    assert digest in pages[-1].extract_text().replace("\n", "")


@pytest.mark.django_db(transaction=True)
def test_background_export_runs_on_the_reports_queue_for_its_requester_only(
    client, make_user, run_rq_worker
):
    ada = make_user("Administrator", username="ada")
    other_admin = make_user("Administrator", username="bea")
    patient = PatientFactory(mrn="BG1")
    for _ in range(40):
        _look(ada, patient)
    client.force_login(ada)
    response = client.post(
        reverse("clinic:report-export", args=["access-log"]),
        {"format": "pdf", "patient": "BG1"},
    )
    export = ReportExport.objects.get()
    assert response["Location"] == reverse("clinic:export-detail", args=[export.pk])
    assert export.status == "pending"

    run_rq_worker("reports")
    export.refresh_from_db()
    # 40 looks at the chart, and the export request itself (logged before it runs).
    assert (export.status, export.total_rows, export.done_rows) == ("done", 41, 41)
    progress = client.get(
        reverse("clinic:export-detail", args=[export.pk]), HTTP_HX_REQUEST="true"
    )
    assert "100%" in progress.content.decode()
    assert "hx-trigger" not in progress.content.decode()  # polling stops when done

    download = client.get(reverse("clinic:export-download", args=[export.pk]))
    assert download.status_code == 200
    pdf = b"".join(download.streaming_content)
    assert pdf.startswith(b"%PDF")
    assert AccessLog.objects.filter(action="export", patient=patient).count() == 1
    assert AccessLog.objects.filter(action="download", user=ada).count() == 1

    client.force_login(other_admin)
    assert (
        client.get(reverse("clinic:export-download", args=[export.pk])).status_code
        == 403
    )
    assert (
        client.get(reverse("clinic:export-detail", args=[export.pk])).status_code == 403
    )


def test_expired_exports_lose_their_file(admin_user):
    from clinic.reports.exports import report_exports_sweep

    exports_storage().save("old.csv", ContentFile(b"x"))
    export = ReportExport.objects.create(
        requested_by=admin_user,
        report="access-log",
        format="csv",
        status="done",
        file_name="old.csv",
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    assert report_exports_sweep(timezone.now()) == 1
    export.refresh_from_db()
    assert export.status == "expired"
    assert not exports_storage().exists("old.csv")


@pytest.mark.django_db(transaction=True)
def test_integrity_page_finds_a_tampered_row(admin_client, make_user, owner_connection):
    patient = PatientFactory()
    rows = [_look(make_user("Nurse"), patient) for _ in range(3)]
    url = reverse("clinic:report-integrity")
    ok = admin_client.get(url, {"date_from": timezone.localdate().isoformat()})
    assert "Intact: 3 rows checked" in ok.content.decode()
    # The tables' owner (a superuser here) switches the triggers off to rewrite.
    owner_connection.execute("SET session_replication_role = replica")
    owner_connection.execute(
        "UPDATE clinic_accesslog SET what = 'x' WHERE id = %s", [rows[1].pk]
    )
    broken = admin_client.get(url, {"date_from": timezone.localdate().isoformat()})
    assert f"BROKEN: row {rows[1].pk}" in broken.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_csv_export_job_reports_progress_while_postgresql_streams_the_rows(
    admin_user, make_user, monkeypatch
):
    from clinic.reports.exports import report_export_run

    monkeypatch.setattr("clinic.reports.csv_output.CSV_CHUNK_ROWS", 10)
    nurse = make_user("Nurse", username="nora")
    patient = PatientFactory()
    for _ in range(25):
        _look(nurse, patient)
    export = ReportExport.objects.create(
        requested_by=admin_user,
        report="access-log",
        format="csv",
        filters=Filters(username="nora").to_json(),
    )
    progress = []
    original = ReportExport.save

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") == ["done_rows"]:
            progress.append(self.done_rows)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ReportExport, "save", save)
    assert report_export_run(export_id=export.pk) == "done"
    export.refresh_from_db()
    assert progress == [10, 20, 25]
    assert (export.total_rows, export.done_rows) == (25, 25)
    with exports_storage().open(export.file_name) as stored:
        text = stored.read().decode()
    body, last = text.rstrip("\n").rsplit("\n", 1)
    assert last == HASH_LINE + export.sha256
    assert export.sha256 == hashlib.sha256((body + "\n").encode()).hexdigest()
    assert len(body.splitlines()) == 26
