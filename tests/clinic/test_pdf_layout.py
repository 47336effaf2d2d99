"""Issue #18 item 3: printouts that read right.

Every PDF the app makes (each URL that answers a PDF, and every compliance report's
PDF export) is built from the seeded demo clinic and read back with pdfplumber: no
two printed characters may overlap (a "Given at" time running into the "Minutes
from due" cell read "21:54:00" and "-6" as "21:54:06"), and no character may fall
outside the page. Text that is too long must wrap or shrink inside its own cell.
"""

import io
from io import StringIO

import pdfplumber
import pytest
from django.core.management import call_command
from django.urls import reverse

from clinic.reports import all_reports
from clinic.reports.base import Filters
from clinic.reports.pdf_output import write_pdf
from tests.clinic.test_pdf_markup import PDF_URLS

pytestmark = pytest.mark.django_db

# Two glyphs overlap when their boxes share more than this share of the smaller
# one's area (kerning and italic overhangs share a sliver, never a third).
OVERLAP_SHARE = 0.3


def overlaps(pdf: bytes, *, limit: int = 5) -> list[str]:
    """Where printed characters overlap or leave the page, as readable lines."""
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            chars = [c for c in page.chars if c["text"].strip()]
            for char in chars:
                if (
                    char["x0"] < -0.5
                    or char["x1"] > page.width + 0.5
                    or char["top"] < -0.5
                    or char["bottom"] > page.height + 0.5
                ):
                    found.append(f"page {number}: {char['text']!r} is off the page")
            found.extend(_overlapping(chars, number))
            if len(found) >= limit:
                break
    return found[:limit]


def _overlapping(chars, number) -> list[str]:
    """Pairs of overlapping glyphs on one page: a sweep along x keeps it near
    linear for a page of text."""
    found = []
    ordered = sorted(chars, key=lambda c: c["x0"])
    active: list[dict] = []
    for char in ordered:
        active = [a for a in active if a["x1"] > char["x0"]]
        for other in active:
            width = min(other["x1"], char["x1"]) - max(other["x0"], char["x0"])
            height = min(other["bottom"], char["bottom"]) - max(
                other["top"], char["top"]
            )
            if width <= 0 or height <= 0:
                continue
            smaller = min(
                (c["x1"] - c["x0"]) * (c["bottom"] - c["top"]) for c in (char, other)
            )
            if smaller > 0 and width * height > OVERLAP_SHARE * smaller:
                found.append(
                    f"page {number}: {other['text']!r} and {char['text']!r} overlap "
                    f"at x={char['x0']:.0f}, y={char['top']:.0f}: "
                    f"{_line_at(ordered, char)!r}"
                )
                if len(found) >= 3:
                    return found
        active.append(char)
    return found


def _line_at(chars, at) -> str:
    line = sorted(
        (c for c in chars if abs(c["top"] - at["top"]) < 2), key=lambda c: c["x0"]
    )
    return "".join(c["text"] for c in line)[:120]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One seeded clinic for every PDF (kept for the module, removed after)."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            call_command(
                "seed_demo",
                "--patients",
                "12",
                "--days",
                "3",
                "--seed",
                "11",
                stdout=StringIO(),
            )
            yield
            transaction.set_rollback(True)


def _pdf_urls() -> dict[str, str]:
    """One URL per PDF kind, for a record the demo holds."""
    from billing.models import Claim
    from diagnostics.models import DiagnosticOrder
    from medications.models import Administration
    from tests.billing.factories import billed_claim

    given = Administration.objects.select_related("dose__order").first()
    patient_pk = given.dose.order.patient_id
    order = DiagnosticOrder.objects.order_by("pk").first()
    resulted = (
        DiagnosticOrder.objects.filter(observations__isnull=False)
        .order_by("pk")
        .first()
    )
    # A small demo may bill nothing (it bills from 30 finished visits up).
    claim = Claim.objects.order_by("pk").first() or billed_claim()
    return {
        "medications:wristband": reverse(
            "medications:wristband", kwargs={"patient_pk": patient_pk}
        ),
        "medications:mar-print": reverse(
            "medications:mar-print", kwargs={"patient_pk": patient_pk}
        ),
        "diagnostics:requisition-pdf": reverse(
            "diagnostics:requisition-pdf", args=[order.pk]
        ),
        "diagnostics:label-pdf": reverse("diagnostics:label-pdf", args=[order.pk]),
        "diagnostics:report-pdf": reverse(
            "diagnostics:report-pdf", args=[(resulted or order).pk]
        ),
        "billing:claim-pdf": reverse("billing:claim-pdf", args=[claim.pk]),
    }


def test_no_pdf_page_prints_text_over_text(demo, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    urls = _pdf_urls()
    assert set(urls) == PDF_URLS, "every PDF URL is printed here"
    failures = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        assert response["Content-Type"] == "application/pdf"
        found = overlaps(
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        if found:
            failures[name] = found
    assert failures == {}, failures


@pytest.mark.parametrize("slug", [report.slug for report in all_reports()])
def test_no_report_pdf_prints_text_over_text(demo, tmp_path, slug):
    from clinic.reports import get_report

    path = tmp_path / f"{slug}.pdf"
    write_pdf(get_report(slug), Filters(), path, generated_by="Test Admin")
    assert overlaps(path.read_bytes()) == []


def test_the_check_sees_two_cells_printed_over_each_other():
    """The check can fail: a time and a number drawn 3 pt apart overlap."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.drawString(100, 700, "21:54:00")
    page.drawString(130, 700, "-6")
    page.drawString(100, 600, "apart")
    page.drawString(200, 600, "fine")
    page.save()
    found = overlaps(buffer.getvalue())
    assert found and "overlap" in found[0] and "21:54" in found[0]

    clean = io.BytesIO()
    page = canvas.Canvas(clean, pagesize=A4)
    page.drawString(100, 600, "apart")
    page.drawString(200, 600, "fine")
    page.save()
    assert overlaps(clean.getvalue()) == []
