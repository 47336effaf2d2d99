"""The bedside drug scan: an NDC in every form a package prints or a scanner reads,
one normal form before the comparison, and failure messages that name drugs and
patients, never the code that would pass."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from medications import services
from medications.exceptions import FiveRightsError
from medications.models import Medication, ScheduledDose
from medications.ndc import gs1_check_digit, ndc_canonical, ndc_forms, ndc_same
from medications.services import Bedside
from tests.medications.factories import MedicationFactory, MedicationOrderFactory
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db

# Cefazolin 1 g vial: NDC 0409-0805-01 (4-4-2), 11-digit 00409-0805-01.
CEFAZOLIN_11 = "00409080501"
CEFAZOLIN_SCANS = [
    "0409-0805-01",  # 10 digits with dashes, 4-4-2, as printed on the vial
    "00409-0805-01",  # 11 digits with dashes, 5-4-2
    "00409080501",  # 11 digits
    " 0409-0805-01\n",  # a scanner's trailing Enter and a stray space
    "304090805010",  # UPC-A: 3 + the ten digits + check digit
    "00304090805010",  # GTIN-14 as a DataMatrix carries it
    "(01)00304090805010",  # GS1 element string, human-readable
    "(01)00304090805010(17)271231(10)A12B",  # with expiry and lot
    "0100304090805010",  # element string as the scanner sends it
    "010030409080501017271231" + "10A12B",  # ... with AI 17 and AI 10
    "]d2010030409080501017271231\x1d21SER9",  # symbology id and GS separator
]
# The 5-3-2 and 5-4-1 shapes, with their 11-digit forms.
OTHER_SHAPES = [
    ("55150-123-05", "55150012305"),
    ("50580-0496-6", "50580049606"),
]


def test_the_gs1_check_digit_of_the_cefazolin_upc_is_0():
    assert gs1_check_digit("30409080501") == "0"


@pytest.mark.parametrize("code", CEFAZOLIN_SCANS)
def test_every_printed_or_scanned_form_of_the_ndc_normalises_to_it(code):
    assert CEFAZOLIN_11 in ndc_forms(code)
    assert ndc_same(code, "00409-0805-01")


@pytest.mark.parametrize(("printed", "eleven"), OTHER_SHAPES)
def test_the_5_3_2_and_5_4_1_shapes_pad_the_short_segment(printed, eleven):
    assert ndc_forms(printed) == {eleven}
    assert ndc_canonical(printed) == eleven


@pytest.mark.parametrize(
    "code",
    [
        "",
        "0409-0805",  # two segments
        "409-0805-01",  # 3-4-2 is no NDC shape
        "304090805017",  # UPC-A with a wrong check digit
        "404090805013",  # UPC-A not of number system 3 (not a drug)
        "(01)00304090805017",  # GTIN with a wrong check digit
        "0409-08O5-01",  # a letter O for a zero
        "ABCDEFGHIJK",
    ],
)
def test_a_code_that_is_no_ndc_names_no_drug(code):
    assert ndc_forms(code) == set()
    assert not ndc_same(code, CEFAZOLIN_11)


def test_ten_undashed_digits_are_three_candidates_and_no_canonical_form():
    assert ndc_forms("0409080501") == {"00409080501", "04090080501", "04090805001"}
    assert ndc_canonical("0409080501") is None


@pytest.fixture
def cefazolin_dose():
    order = MedicationOrderFactory(
        medication=MedicationFactory(
            name="Cefazolin",
            barcode=CEFAZOLIN_11,
            form="injection",
            unit="g",
            strength=Decimal("1"),
            routes=["IV"],
            max_single_dose=Decimal("2"),
        ),
        patient__mrn="N0000001",
        patient__given_name="Ann",
        patient__family_name="Lee",
        patient__birth_date=date(1950, 3, 4),
        dose=Decimal("1"),
        dose_unit="g",
        route="IV",
    )
    return ScheduledDose.objects.create(order=order, due_at=timezone.now())


def _entry(**overrides) -> Bedside:
    values = {
        "wristband": "N0000001",
        "barcode": CEFAZOLIN_11,
        "amount": "1",
        "unit": "g",
        "route": "IV",
    }
    return Bedside(**{**values, **overrides})


@pytest.mark.parametrize("code", CEFAZOLIN_SCANS)
def test_the_same_drug_passes_scanned_in_each_form(cefazolin_dose, make_user, code):
    given = services.dose_administer(
        dose=cefazolin_dose, entry=_entry(barcode=code), actor=make_user("Nurse")
    )
    assert given.dose_id == cefazolin_dose.pk
    cefazolin_dose.refresh_from_db()
    assert cefazolin_dose.status == "given"


def test_a_wrong_drug_is_named_and_the_right_code_is_never_shown(
    cefazolin_dose, make_user
):
    MedicationFactory(
        name="Ceftriaxone",
        barcode="00409733201",
        form="injection",
        unit="g",
        strength=Decimal("1"),
    )
    with pytest.raises(FiveRightsError) as error:
        services.dose_administer(
            dose=cefazolin_dose,
            entry=_entry(barcode="0409-7332-01"),
            actor=make_user("Nurse"),
        )
    assert error.value.check == "drug"
    assert error.value.message == (
        "Wrong drug: the barcode scanned is Ceftriaxone 1 g injection, not "
        "Cefazolin 1 g injection."
    )
    for spelling in ("00409080501", "0409-0805-01", "00409-0805-01", "0409080501"):
        assert spelling not in error.value.message
    cefazolin_dose.refresh_from_db()
    assert cefazolin_dose.status == "scheduled"


def test_a_wrong_patient_is_named_and_the_right_mrn_is_never_shown(
    cefazolin_dose, make_user
):
    PatientFactory(
        mrn="N0000002", given_name="Bo", family_name="Kim", birth_date=date(1961, 1, 2)
    )
    with pytest.raises(FiveRightsError) as error:
        services.dose_administer(
            dose=cefazolin_dose,
            entry=_entry(wristband="n0000002"),
            actor=make_user("Nurse"),
        )
    assert error.value.check == "patient"
    assert error.value.message == (
        "Wrong patient: the wristband scanned is Bo Kim, born 1961-01-02, not Ann "
        "Lee, born 1950-03-04. Check the patient's identity before going on."
    )
    assert "N0000001" not in error.value.message


def test_an_unreadable_barcode_says_it_is_no_ndc(cefazolin_dose, make_user):
    with pytest.raises(FiveRightsError) as error:
        services.dose_administer(
            dose=cefazolin_dose,
            entry=_entry(barcode="hello"),
            actor=make_user("Nurse"),
        )
    assert error.value.message == (
        "Wrong drug: the barcode scanned is not a National Drug Code, not "
        "Cefazolin 1 g injection."
    )


def test_the_formulary_keeps_the_11_digit_form_and_refuses_an_ambiguous_one(
    make_user,
):
    admin = make_user("Administrator")
    medication = MedicationFactory.build(name="Vancomycin", barcode="0338-3582-01")
    services.medication_save(medication=medication, actor=admin)
    assert Medication.objects.get(name="Vancomycin").barcode == "00338358201"
    ambiguous = MedicationFactory.build(name="Heparin", barcode="6332305470")
    with pytest.raises(ValidationError) as error:
        services.medication_save(medication=ambiguous, actor=admin)
    assert "Ten digits without dashes" in error.value.message_dict["barcode"][0]
    assert not Medication.objects.filter(name="Heparin").exists()
