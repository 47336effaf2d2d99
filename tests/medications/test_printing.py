"""The wristband and MAR PDFs: their text read back, the barcode decoded."""

import subprocess
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pdfplumber
import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from clinic.models import AccessLog
from medications import services
from medications.models import ScheduledDose
from tests.clinic.test_pdf_layout import overlaps
from tests.medications.factories import MedicationFactory, MedicationOrderFactory
from tests.registration.factories import AllergyFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def _render(pdf: bytes, tmp_path: Path, dpi: int = 200) -> Image.Image:
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", source, tmp_path / "page"],
        check=True,
    )
    return Image.open(tmp_path / "page.png")


def test_the_wristband_shows_the_patient_and_its_barcode_decodes_to_the_mrn(
    client, make_user, tmp_path
):
    patient = PatientFactory(
        mrn="W0012345", given_name="Ann", family_name="Lee", birth_date="1950-03-04"
    )
    nurse = make_user("Nurse")
    client.force_login(nurse)
    response = client.get(
        reverse("medications:wristband", kwargs={"patient_pk": patient.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    text = _text(pdf)
    assert "LEE, Ann" in text
    assert "DOB 1950-03-04" in text and "MRN W0012345" in text

    barcodes = zxingcpp.read_barcodes(_render(pdf, tmp_path))
    assert [(b.text, b.format.name) for b in barcodes] == [("W0012345", "Code128")]
    log = AccessLog.objects.get(user=nurse)
    assert (log.patient_id, log.action, log.what) == (patient.pk, "print", "wristband")


def test_the_mar_printout_lists_the_days_doses_and_who_gave_them(
    client, make_user, tmp_path
):
    nurse = make_user("Nurse", first_name="Nora", last_name="Bedside")
    order = MedicationOrderFactory(
        medication=MedicationFactory(name="Cefazolin", barcode="00409080501"),
        patient__mrn="P0000777",
        patient__family_name="Okafor",
        indication="Cellulitis",
    )
    now = timezone.now()
    given = ScheduledDose.objects.create(order=order, due_at=now)
    held = ScheduledDose.objects.create(order=order, due_at=now + timedelta(minutes=1))
    services.dose_administer(
        dose=given,
        entry=services.Bedside(
            wristband="P0000777",
            barcode="00409080501",
            amount="500",
            unit="mg",
            route="PO",
        ),
        actor=nurse,
    )
    services.dose_hold(dose=held, actor=nurse, reason="Patient asleep")
    client.force_login(nurse)
    url = reverse("medications:mar-print", kwargs={"patient_pk": order.patient_id})
    response = client.get(url + f"?date={timezone.localdate(now):%Y-%m-%d}")
    assert response.status_code == 200
    text = _text(response.content)
    assert "MRN P0000777" in text and "Okafor" in text
    assert "Cefazolin" in text and "Cellulitis" in text
    assert "Given" in text and "Nora Bedside" in text
    assert "Held" in text and "Patient asleep" in text
    image = _render(response.content, tmp_path, dpi=60)
    assert image.width > image.height  # landscape


@pytest.fixture
def crowded_day(make_user):
    """A patient whose every printed field is as long as the forms allow it."""
    nurse = make_user(
        "Nurse", first_name="Maria-Fernanda", last_name="Oyelaran-Whitfield"
    )
    patient = PatientFactory(
        mrn="P0000999",
        given_name="Bartholomew-Alexander",
        family_name="Vandenberghe-Castellanos y Montgomery",
    )
    for substance, reaction in [
        ("Penicillin", "Anaphylaxis with airway swelling"),
        ("Sulfamethoxazole-trimethoprim", "Stevens-Johnson syndrome"),
        ("Iodinated contrast media", "Hives and bronchospasm"),
        ("Latex", "Contact dermatitis"),
    ]:
        AllergyFactory(
            patient=patient, substance=substance, reaction=reaction, severity="life"
        )
    order = MedicationOrderFactory(
        patient=patient,
        medication=MedicationFactory(
            name="Piperacillin-tazobactam extended infusion in sodium chloride 0.9%",
            barcode="00409080599",
        ),
        dose=Decimal("12345.125"),
        dose_unit="mcg",
        route="INH",
        indication="Hospital-acquired pneumonia with " + "resistant organisms " * 6,
    )
    now = timezone.now()
    held = ScheduledDose.objects.create(order=order, due_at=now)
    services.dose_hold(dose=held, actor=nurse, reason="Patient off the unit " * 12)
    return nurse, patient, now


def test_long_names_and_allergies_stay_inside_their_cells(client, crowded_day):
    nurse, patient, now = crowded_day
    client.force_login(nurse)
    day = {"date": f"{timezone.localdate(now):%Y-%m-%d}"}
    pdfs = {
        name: client.get(reverse(name, kwargs={"patient_pk": patient.pk}), day).content
        for name in ("medications:wristband", "medications:mar-print")
    }
    for name, pdf in pdfs.items():
        assert overlaps(pdf) == [], name
        text = _text(pdf)
        # Both printouts carry every allergy, by name.
        for substance in ("Penicillin", "Sulfamethoxazole", "contrast", "Latex"):
            assert substance in text, (name, substance)
        assert "MRN P0000999" in text
    # The band's text stays left of its barcode (a long name used to run into
    # the bars, where no glyph overlap shows it).
    with pdfplumber.open(BytesIO(pdfs["medications:wristband"])) as document:
        page = document.pages[0]
        bars = min(rect["x0"] for rect in page.rects)
        assert max(char["x1"] for char in page.chars) < bars


def test_a_wristband_says_plainly_when_allergies_were_never_asked(client, make_user):
    patient = PatientFactory(allergy_review="not_asked")
    client.force_login(make_user("Nurse"))
    text = _text(
        client.get(
            reverse("medications:wristband", kwargs={"patient_pk": patient.pk})
        ).content
    )
    assert "ALLERGIES NOT YET ASKED" in text
    assert "ALLERGIES: Allergies" not in text
