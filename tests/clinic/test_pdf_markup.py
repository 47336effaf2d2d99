"""Every PDF the app makes prints what a person typed as text, never as markup.

Each name a user can type (patient, subscriber, drug, test, staff, payer, notes,
instructions) holds ``<img>`` pointing at a local HTTP server, ``<a href=javascript:>``
and ``<b>``. Every PDF must answer 200, fetch nothing, carry no link, and show the
tags as the literal text that was typed.
"""

import http.server
import io
import re
import threading
from datetime import timedelta

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone
from pypdf import PdfReader

from clinic.pdf import pdf_markup, pdf_text
from clinic.reports import get_report
from clinic.reports.base import Filters
from clinic.reports.pdf_output import write_pdf
from clinic.services import access_log_record
from diagnostics import services as diagnostics_services
from diagnostics.models import TestDefinition
from medications import services as medication_services
from medications.models import ScheduledDose
from tests.billing.factories import billed_claim, patient_with_address
from tests.diagnostics.factories import make_order
from tests.medications.factories import MedicationFactory, MedicationOrderFactory
from tests.registration.factories import PayerFactory

pytestmark = pytest.mark.django_db

# Every URL that answers with a PDF, by name; the walk below fails on a new one.
PDF_URLS = {
    "medications:wristband",
    "medications:mar-print",
    "diagnostics:requisition-pdf",
    "diagnostics:label-pdf",
    "diagnostics:report-pdf",
    "billing:claim-pdf",
}


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A local HTTP server that records any request: a fetch is the SSRF."""
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def hostile(port: int, tag: str) -> str:
    return (
        f'<img src="http://127.0.0.1:{port}/{tag}.png"/>'
        f'<a href="javascript:alert(1)">{tag}</a><b>{tag}</b>'
    )


def _squeezed_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _links(pdf: bytes) -> list:
    reader = PdfReader(io.BytesIO(pdf))
    return [annot for page in reader.pages for annot in (page.get("/Annots") or [])]


def test_every_pdf_url_is_covered_here():
    named = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else ""
                walk(pattern.url_patterns, inner or namespace)
            elif str(pattern.pattern).endswith(".pdf"):
                named.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)
    assert named == PDF_URLS


def test_the_helpers_escape_markup_and_keep_line_breaks():
    assert (
        pdf_text('<b>x</b> & "y"\nz')
        == "&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;<br/>z"
    )
    assert pdf_text(None) == ""
    assert pdf_markup("<b>{name}</b>", name="<i>a</i>") == "<b>&lt;i&gt;a&lt;/i&gt;</b>"


def test_medication_pdfs_print_typed_names_as_text(client, make_user, listener):
    nurse = make_user(
        "Nurse", first_name=hostile(listener, "nf"), last_name=hostile(listener, "nl")
    )
    order = MedicationOrderFactory(
        medication=MedicationFactory(
            name=hostile(listener, "md")[:120], barcode="00409080501"
        ),
        patient__given_name=hostile(listener, "pg"),
        patient__family_name=hostile(listener, "pf"),
        indication=hostile(listener, "in"),
        ordered_by=make_user("Clinician", first_name=hostile(listener, "cf")),
    )
    now = timezone.now()
    given = ScheduledDose.objects.create(order=order, due_at=now)
    held = ScheduledDose.objects.create(order=order, due_at=now + timedelta(minutes=1))
    medication_services.dose_administer(
        dose=given,
        entry=medication_services.Bedside(
            wristband=order.patient.mrn,
            barcode="00409080501",
            amount="500",
            unit="mg",
            route="PO",
            note=hostile(listener, "gn") + '<img src="x" onerror="alert(1)"/>',
        ),
        actor=nurse,
    )
    medication_services.dose_hold(
        dose=held,
        actor=nurse,
        reason=hostile(listener, "hr") + "<img src='/etc/hostname'/>",
    )
    client.force_login(nurse)
    patient_pk = order.patient_id
    day = f"{timezone.localdate(now):%Y-%m-%d}"
    mar = client.get(
        reverse("medications:mar-print", kwargs={"patient_pk": patient_pk}),
        {"date": day},
    )
    band = client.get(
        reverse("medications:wristband", kwargs={"patient_pk": patient_pk})
    )
    for response in (mar, band):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert _links(response.content) == []
    text = _squeezed_text(mar.content)
    for tag in ("pg", "pf", "in", "gn", "hr", "nf", "nl"):
        assert f"<b>{tag}</b>" in text, tag
    assert "javascript:alert(1)" in text
    assert "<b>pg</b>" in _squeezed_text(band.content)
    assert _Recorder.hits == []


def test_diagnostic_pdfs_print_typed_names_as_text(client, make_user, listener):
    doctor = make_user(
        "Clinician",
        first_name=hostile(listener, "df"),
        last_name=hostile(listener, "dl"),
    )
    nurse = make_user("Nurse")
    hemoglobin = TestDefinition.objects.get(code="HGB")
    hemoglobin.name = hostile(listener, "tn")
    hemoglobin.save()
    order = make_order(
        patient=patient_with_address(
            given_name=hostile(listener, "pg"), family_name=hostile(listener, "pf")
        ),
        actor=doctor,
        panels=(),
        tests=("HGB", "K"),
        instructions=hostile(listener, "oi"),
    )
    diagnostics_services.specimen_collect(
        order=order, specimen_types=["blood", "serum"], actor=nurse
    )
    diagnostics_services.results_enter(
        order=order,
        values={hemoglobin: "10.2", TestDefinition.objects.get(code="K"): "6.5"},
        actor=nurse,
    )
    diagnostics_services.critical_acknowledge(
        observation=order.observations.get(test__code="K"),
        action_taken=hostile(listener, "ak"),
        actor=doctor,
    )
    diagnostics_services.order_review(
        order=order, note=hostile(listener, "rn"), actor=doctor
    )
    client.force_login(doctor)
    expected = {
        "diagnostics:requisition-pdf": ("pg", "pf", "oi", "df", "tn"),
        "diagnostics:report-pdf": ("pg", "pf", "tn", "ak", "rn", "dl"),
        "diagnostics:label-pdf": (),
    }
    for name, tags in expected.items():
        response = client.get(reverse(name, args=[order.pk]))
        assert response.status_code == 200, name
        assert _links(response.content) == [], name
        text = _squeezed_text(response.content)
        for tag in tags:
            assert f"<b>{tag}</b>" in text, (name, tag)
    assert _Recorder.hits == []


def test_the_cms1500_prints_typed_names_as_text(client, make_user, listener):
    claim = billed_claim(
        patient=patient_with_address(
            given_name=hostile(listener, "pg"), family_name="<b>pf</b>"
        ),
        payer=PayerFactory(name="<b>py</b><a href='javascript:x'>a</a>"),
    )
    client.force_login(make_user("Billing"))
    response = client.get(reverse("billing:claim-pdf", args=[claim.pk]))
    assert response.status_code == 200
    assert _links(response.content) == []
    text = _squeezed_text(response.content)
    assert "<b>pf</b>" in text and "<b>py</b>" in text
    assert _Recorder.hits == []


def test_report_pdfs_print_typed_names_and_filters_as_text(
    tmp_path, make_user, listener
):
    from django.test import RequestFactory

    patient = patient_with_address(
        given_name=hostile(listener, "pg"), family_name=hostile(listener, "pf")
    )
    nurse = make_user("Nurse", first_name=hostile(listener, "nf"))
    access_log_record(
        user=nurse,
        action="view",
        patient=patient,
        what=hostile(listener, "wh"),
        request=RequestFactory().get("/", REMOTE_ADDR="10.2.3.4"),
    )
    path = tmp_path / "report.pdf"
    write_pdf(
        get_report("access-log"),
        Filters(patient=patient),
        path,
        generated_by=hostile(listener, "gb"),
    )
    pdf = path.read_bytes()
    assert _links(pdf) == []
    text = _squeezed_text(pdf)
    assert "<b>gb</b>" in text
    assert _Recorder.hits == []


def test_pdf_wrap_keeps_every_line_inside_the_width():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from clinic.pdf import pdf_wrap

    text = "Sodium chloride 0.9% 1000 mL IV " + "x" * 80 + " end"
    wrapped = pdf_wrap(text, font="Helvetica", size=7, width=60, max_lines=50)
    lines = wrapped.split("\n")
    assert len(lines) > 3
    assert all(stringWidth(line, "Helvetica", 7) <= 60 for line in lines)
    assert wrapped.replace("\n", "").replace(" ", "") == text.replace(" ", "")
    short = pdf_wrap(text, font="Helvetica", size=7, width=60, max_lines=2)
    assert len(short.split("\n")) == 2 and short.endswith("…")
    assert pdf_wrap("21:54:00", font="Helvetica", size=7, width=200) == "21:54:00"
