"""Pages, PDFs, the import command, the chart panel and the reports."""

import io
import subprocess
import sys
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from alerts.models import StaffAlert
from clinic.models import AccessLog
from diagnostics import services
from diagnostics.chart_panel import chart_panel
from diagnostics.hl7v2.importer import hl7_receive
from diagnostics.hl7v2.upload_run import hl7_upload_run
from diagnostics.models import DiagnosticOrder, Hl7Message, Hl7Upload, TestDefinition
from tests.conftest import ROOT
from tests.diagnostics.factories import FIXTURES, hl7_fixture, make_order
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    """The PDF's words, one space apart (table cells come out one per line)."""
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


@pytest.fixture
def doctor(make_user):
    return make_user(
        "Clinician", username="drcal", first_name="Cal", last_name="Ordway"
    )


def test_a_clinician_orders_a_cbc_from_the_form(client, doctor):
    patient = PatientFactory(birth_date=date(1980, 1, 1))
    client.force_login(doctor)
    page = client.get(reverse("diagnostics:order-create") + f"?patient={patient.pk}")
    assert page.context["form"].initial["patient_mrn"] == patient.mrn
    cbc = page.context["form"].fields["panels"].queryset.get(code="CBC")
    response = client.post(
        reverse("diagnostics:order-create"),
        {
            "patient_mrn": patient.mrn,
            "patient_mrn_shown": patient.mrn,
            "panels": [cbc.pk],
            "priority": "stat",
            "reason_code": "d64.9",
            "reason_text": "Anemia, unspecified",
            "fasting": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    order = DiagnosticOrder.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert (order.priority, order.reason_code, order.ordering_clinician) == (
        "stat",
        "D64.9",
        doctor,
    )
    assert order.items.count() == 9


def test_a_bad_order_form_says_why_and_stores_nothing(client, doctor):
    client.force_login(doctor)
    response = client.post(
        reverse("diagnostics:order-create"),
        {"patient_mrn": "NOPE", "priority": "routine", "reason_code": "123"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["patient_mrn"] == ["No patient has the MRN NOPE."]
    assert "reason_code" in errors
    assert errors["__all__"] == ["Choose at least one test or panel."]
    assert DiagnosticOrder.objects.count() == 0


def test_the_order_page_logs_the_look_and_shows_results(client, doctor, make_user):
    order = make_order(actor=doctor)
    services.results_enter(
        order=order,
        values={TestDefinition.objects.get(code="HGB"): "6.0"},
        actor=make_user("Nurse"),
    )
    client.force_login(doctor)
    response = client.get(order.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Acknowledge critical" in html and "6.0" in html
    log = AccessLog.objects.get(object_id=str(order.pk))
    assert (log.user, log.patient, log.what) == (
        doctor,
        order.patient,
        "diagnostic order",
    )


def test_nurse_collects_sends_and_enters_results_through_the_pages(client, make_user):
    nurse, order = make_user("Nurse"), make_order(panels=(), tests=("K", "NA"))
    client.force_login(nurse)
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("diagnostics:order-collect", args=[order.pk]),
        {"specimen_types": ["serum"], "collected_at": when},
    )
    client.post(reverse("diagnostics:order-send", args=[order.pk]))
    order.refresh_from_db()
    assert order.status == "in_lab"
    k, na = (TestDefinition.objects.get(code=c) for c in ("K", "NA"))
    response = client.post(
        reverse("diagnostics:result-entry", args=[order.pk]),
        {"status": "F", f"test_{k.pk}": "6.9", f"test_{na.pk}": "140"},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown[-2:] == [
        "2 result(s) saved.",
        "Critical: Potassium. The ordering clinician was alerted.",
    ]
    order.refresh_from_db()
    assert order.status == "final"


def test_acknowledge_and_sign_off_pages(client, doctor, make_user):
    order = make_order(actor=doctor, panels=(), tests=("GLU",))
    [glucose] = services.results_enter(
        order=order,
        values={TestDefinition.objects.get(code="GLU"): "38"},
        actor=make_user("Nurse"),
    )
    client.force_login(doctor)
    review = client.get(reverse("diagnostics:review-list"))
    assert [o.pk for o in review.context["orders"]] == [order.pk]
    blocked = client.post(
        reverse("diagnostics:order-review", args=[order.pk]),
        {"note": "Glucose noted"},
    )
    # Refused on the form (200, nothing signed off), with what was typed kept.
    [error] = blocked.context["form"].non_field_errors()
    assert error.startswith("Acknowledge the critical result(s) first")
    assert "Glucose noted</textarea>" in blocked.content.decode()
    client.post(
        reverse("diagnostics:observation-acknowledge", args=[glucose.pk]),
        {"action_taken": "Patient given juice, rechecked 95."},
    )
    assert glucose.acknowledgements.get().acknowledged_by == doctor
    client.post(reverse("diagnostics:order-review", args=[order.pk]), {"note": "ok"})
    order.refresh_from_db()
    assert order.status == "reviewed"
    assert list(client.get(reverse("diagnostics:review-list")).context["orders"]) == []


def test_requisition_label_and_report_pdfs_read_back(client, doctor, make_user):
    # A fixed name: a random one may hold characters PDF text extraction changes.
    order = make_order(
        patient=PatientFactory(
            family_name="Doe", given_name="Jane", birth_date=date(1980, 1, 1)
        ),
        actor=doctor,
        panels=(),
        tests=("HGB", "K"),
        fasting=True,
        instructions="Draw before 9 am",
    )
    services.specimen_collect(
        order=order, specimen_types=["blood", "serum"], actor=make_user("Nurse")
    )
    services.results_enter(
        order=order,
        values={
            TestDefinition.objects.get(code="HGB"): "10.2",
            TestDefinition.objects.get(code="K"): "6.5",
        },
        actor=make_user("Nurse"),
    )
    services.critical_acknowledge(
        observation=order.observations.get(test__code="K"),
        action_taken="Repeat K ordered",
        actor=doctor,
    )
    services.order_review(order=order, note="Iron studies next", actor=doctor)
    client.force_login(doctor)
    patient = order.patient

    requisition = client.get(reverse("diagnostics:requisition-pdf", args=[order.pk]))
    assert requisition["Content-Type"] == "application/pdf"
    text = _pdf_text(requisition.content)
    for expected in (
        order.accession,
        patient.mrn,
        f"{patient.family_name}, {patient.given_name}",
        "Hemoglobin",
        "718-7",
        "FASTING REQUIRED",
        "Draw before 9 am",
        "Cal Ordway",
        "R53.83",
    ):
        assert expected in text, expected

    labels = client.get(reverse("diagnostics:label-pdf", args=[order.pk]))
    reader = PdfReader(io.BytesIO(labels.content))
    assert len(reader.pages) == 2  # whole blood and serum
    assert order.accession in reader.pages[0].extract_text()

    report = _pdf_text(
        client.get(reverse("diagnostics:report-pdf", args=[order.pk])).content
    )
    assert "Hemoglobin 10.2 g/dL Low 12-17.5" in report
    assert "Potassium 6.5 mmol/L CRITICAL HIGH 3.5-5.1" in report
    assert "acknowledged by Cal Ordway" in report and "Repeat K ordered" in report
    assert "Reviewed by Cal Ordway" in report and "Iron studies next" in report
    printed = AccessLog.objects.filter(action=AccessLog.Action.PRINT, patient=patient)
    assert sorted(printed.values_list("what", flat=True)) == [
        "requisition PDF",
        "result report PDF",
        "specimen labels PDF",
    ]


def test_upload_page_imports_and_the_error_list_reprocesses(client, make_user):
    nurse = make_user("Nurse")
    order = make_order()
    client.force_login(nurse)
    upload = SimpleUploadedFile(
        "batch.hl7", hl7_fixture("batch.hl7", order=order).encode()
    )
    response = client.post(reverse("diagnostics:hl7-upload"), {"file": upload})
    hl7_upload = Hl7Upload.objects.get()
    assert response["Location"] == hl7_upload.get_absolute_url()
    assert hl7_upload_run(upload_id=hl7_upload.pk) == "done"
    page = client.get(hl7_upload.get_absolute_url()).content.decode()
    assert "2 / 2 messages" in page
    assert "Applied: <strong>1</strong>" in page
    assert "In the error list: <strong>1</strong>" in page
    errors = client.get(reverse("diagnostics:hl7-list") + "?status=error")
    [failed] = errors.context["hl7_messages"]
    assert failed.control_id == "MSG-BATCH-2"
    detail = client.get(reverse("diagnostics:hl7-detail", args=[failed.pk]))
    assert "no order has the accession number A9999999999" in detail.content.decode()
    applied = Hl7Message.objects.get(control_id="MSG-BATCH-1")
    client.get(reverse("diagnostics:hl7-detail", args=[applied.pk]))
    seen = AccessLog.objects.filter(what="HL7 message").order_by("id")
    assert [row.patient for row in seen] == [None, order.patient]
    again = client.post(
        reverse("diagnostics:hl7-reprocess", args=[failed.pk]), follow=True
    )
    assert "Still not applied" in [str(m) for m in again.context["messages"]][0]
    client.post(
        reverse("diagnostics:hl7-set-aside", args=[failed.pk]),
        {"note": "Lab test message"},
    )
    failed.refresh_from_db()
    assert failed.status == Hl7Message.Status.RESOLVED


def test_a_file_that_is_not_hl7_is_refused_on_upload(client, make_user):
    client.force_login(make_user("Nurse"))
    response = client.post(
        reverse("diagnostics:hl7-upload"),
        {"file": SimpleUploadedFile("x.txt", b"just some words")},
    )
    assert response.context["form"].errors["file"] == [
        "The file holds no HL7 message (no MSH segment)."
    ]
    assert Hl7Message.objects.count() == 0


def test_import_hl7_command_reports_and_exits_by_outcome(tmp_path):
    order = make_order()
    good = tmp_path / "in" / "good.hl7"
    good.parent.mkdir()
    with good.open("w", newline="") as handle:
        handle.write(hl7_fixture("cbc_critical.hl7", order=order))
    out = io.StringIO()
    call_command(
        "import_hl7", str(good.parent), "--ack-dir", str(tmp_path / "acks"), stdout=out
    )
    assert f"good.hl7: MSG-CBC-1 AA {order.accession}" in out.getvalue()
    assert "1 message(s) applied, 0 not applied." in out.getvalue()
    [ack] = (tmp_path / "acks").iterdir()
    assert "MSA|AA|MSG-CBC-1" in ack.read_text()

    with pytest.raises(CommandError) as error:
        call_command(
            "import_hl7", str(FIXTURES / "truncated.hl7"), stderr=io.StringIO()
        )
    assert error.value.returncode == 1


def test_import_hl7_of_a_bad_path_is_a_clean_error_without_traceback(tmp_path):
    junk = tmp_path / "junk.hl7"
    junk.write_bytes(b"\x00\x01 not a message")
    for path, message in (
        (tmp_path / "missing.hl7", "does not exist"),
        (junk, "holds no HL7 message (no MSH segment); nothing was imported"),
    ):
        result = subprocess.run(
            [sys.executable, "manage.py", "import_hl7", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def test_chart_panel_lists_orders_and_draws_a_trend_in_bounded_queries(
    doctor, make_user, django_assert_max_num_queries
):
    from django.template.loader import render_to_string

    patient = PatientFactory(birth_date=date(1980, 1, 1))
    nurse = make_user("Nurse")
    hgb = TestDefinition.objects.get(code="HGB")
    for value in ("13.0", "11.0", "9.5", "12.1"):
        order = make_order(patient=patient, actor=doctor, panels=(), tests=("HGB",))
        services.results_enter(order=order, values={hgb: value}, actor=nurse)
    make_order(patient=patient, actor=doctor, panels=("CMP",))
    with django_assert_max_num_queries(8):
        context = chart_panel(patient=patient, user=doctor)
        html = render_to_string(context["template"], {"panel": context})
    assert len(context["orders"]) == 5
    [trend] = context["trends"]
    assert trend["test"] == hgb
    dots = trend["chart"].circles
    values = [d.title.split(": ")[1] for d in dots]
    assert values == ["13.0 N", "11.0 L", "9.5 L", "12.1 N"]  # the test's decimals
    assert [d.css_class for d in dots] == [
        "chart-primary", "chart-alert", "chart-alert", "chart-primary"
    ]  # fmt: skip
    assert (
        "<svg" in html
        and "<polyline" in html
        and 'aria-label="Hemoglobin trend, 4 results"' in html
    )
    assert chart_panel(patient=patient, user=make_user("Billing"))["can_view"] is True
    assert chart_panel(patient=patient, user=make_user(None))["can_view"] is False


def test_turnaround_report_and_csv(client, doctor, make_user):
    order = make_order(actor=doctor, panels=(), tests=("K",), priority="stat")
    order.ordered_at = timezone.now() - timedelta(minutes=90)
    order.save()
    services.specimen_collect(
        order=order,
        specimen_types=["serum"],
        collected_at=timezone.now() - timedelta(minutes=60),
        actor=make_user("Nurse"),
    )
    services.results_enter(
        order=order, values={order.items.get().test: "4.0"}, actor=doctor
    )
    client.force_login(make_user("Administrator"))
    page = client.get(reverse("diagnostics:turnaround"))
    [row] = page.context["rows"]
    assert (row["test"], row["priority"], row["count"]) == ("Potassium", "STAT", 1)
    assert (
        row["order_to_collect"],
        row["collect_to_result"],
        row["order_to_result"],
    ) == (
        30,
        60,
        90,
    )
    assert row["result_to_review"] is None
    assert "<svg" in page.content.decode()
    csv = client.get(
        reverse("diagnostics:turnaround") + "?" + page.context["csv_query"]
    )
    assert csv["Content-Type"] == "text/csv"
    assert csv.content.decode().splitlines()[1] == "Potassium,STAT,1,30,60,,90"


def test_home_page_panels_for_clinician_and_nurse(client, doctor, make_user):
    order = make_order(actor=doctor, panels=(), tests=("K",))
    client.force_login(make_user("Nurse"))
    assert order.accession in client.get("/").content.decode()
    services.results_enter(
        order=order, values={order.items.get().test: "7.0"}, actor=doctor
    )
    client.force_login(doctor)
    html = client.get("/").content.decode()
    assert "Results to review" in html
    assert "Potassium 7.0 mmol/L (Critical high)" in html
    assert StaffAlert.objects.filter(kind="critical_result").count() == 1


def test_catalogue_page_lists_tests_and_ranges(client, make_user):
    client.force_login(make_user("Nurse"))
    html = client.get(reverse("diagnostics:catalogue")).content.decode()
    assert "718-7" in html and "Female, 18+ y: 12-15.5" in html


def test_order_list_search_finds_by_mrn_and_accession(client, doctor):
    first, second = make_order(actor=doctor), make_order(actor=doctor)
    client.force_login(doctor)
    for query, expected in ((first.patient.mrn, first), (second.accession, second)):
        page = client.get(reverse("diagnostics:order-list"), {"q": query})
        assert [o.pk for o in page.context["orders"]] == [expected.pk]


@pytest.mark.parametrize("count", [2, 8])
def test_lists_and_order_page_run_a_bounded_number_of_queries(
    client, doctor, make_user, count, django_assert_max_num_queries
):
    nurse = make_user("Nurse")
    orders = [make_order(actor=doctor) for _ in range(count)]
    for order in orders:
        hl7_receive(
            text=hl7_fixture("cbc_critical.hl7", order=order).replace(
                "MSG-CBC-1", f"Q{order.pk}"
            )
        )
    client.force_login(doctor)
    client.get("/")  # warm the session and permission caches
    for url in (
        reverse("diagnostics:order-list"),
        reverse("diagnostics:review-list"),
        orders[-1].get_absolute_url(),
    ):
        with django_assert_max_num_queries(24):
            assert client.get(url).status_code == 200
    client.force_login(nurse)
    with django_assert_max_num_queries(24):
        assert client.get(reverse("diagnostics:hl7-list")).status_code == 200


def test_the_patient_chart_shows_the_tests_panel(client, doctor):
    from django.urls import reverse

    patient = PatientFactory()
    order = make_order(patient=patient, actor=doctor, panels=("CBC",))
    client.force_login(doctor)
    body = client.get(reverse("registration:patient-chart", args=[patient.pk])).content
    assert b'id="chart-diagnostics"' in body
    assert order.accession.encode() in body
