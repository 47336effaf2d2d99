"""The CMS-1500 printout: every field stays in its box, however long (issue #18:
the patient's address ran into box 11). The PDF's characters are read back with
pdfplumber; no two may overlap and none may leave the page or its box."""

import io
import os
from pathlib import Path

import pdfplumber
import pytest

from billing.cms1500 import claim_pdf
from tests.billing.factories import billed_claim, patient_with_address
from tests.clinic.test_pdf_layout import overlaps
from tests.registration.factories import CoverageFactory

pytestmark = pytest.mark.django_db


# Two glyphs overlap when their boxes share more than this share of the smaller
# one's area (kerning and italic overhangs share a sliver, never a third).
def _long_claim():
    patient = patient_with_address(
        given_name="Maximiliana-Evangelina",
        middle_name="Bartholomea",
        family_name="Vanderschoot-Oyelaran-Papadopoulou",
        address_line1="12345 North Martin Luther King Junior Memorial Boulevard",
        address_line2="Apartment 1207, Building C",
        city="Rancho Santa Margarita Heights",
        state="CA",
        postal_code="926881234",
    )
    coverage = CoverageFactory(
        patient=patient, group_number="GROUP-0000000000000000000001"
    )
    return billed_claim(patient=patient, coverage=coverage, extra_codes=["36415"])


def _words(pdf: bytes) -> list[dict]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return document.pages[0].extract_words(keep_blank_chars=False)


def test_a_long_name_and_address_stay_in_their_boxes():
    claim = _long_claim()
    pdf = claim_pdf(claim)
    if os.environ.get("PDF_DUMP_DIR"):  # to look at: pdftoppm -png -r 80
        Path(os.environ["PDF_DUMP_DIR"], "cms1500_long.pdf").write_bytes(pdf)
    assert overlaps(pdf) == []
    words = _words(pdf)
    box11 = next(w for w in words if w["text"] == "11.")
    # Nothing of box 5 (the address, left half) reaches box 11's column.
    address_words = [
        w
        for w in words
        if abs(w["top"] - box11["top"]) < 40 and w["x0"] < box11["x0"] - 1
    ]
    assert address_words and all(w["x1"] < box11["x0"] - 2 for w in address_words)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        text = document.pages[0].extract_text()
    assert "Rancho Santa Margarita Heights, CA 926881234" in text
    assert "GROUP-0000000000000000000001" in text


def test_a_plain_claim_prints_without_overlaps():
    assert overlaps(claim_pdf(billed_claim())) == []
