"""The seeded catalogue, reference ranges by sex and age band, flags, orders."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from diagnostics import flags, patient_facts, services
from diagnostics.models import DiagnosticOrder, Panel, TestDefinition
from tests.diagnostics.factories import clinician, make_order
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_the_catalogue_is_seeded_with_loinc_coded_tests_and_panels():
    assert TestDefinition.objects.count() == 40
    cbc = Panel.objects.get(code="CBC")
    assert sorted(t.code for t in cbc.tests.all()) == sorted(
        ["WBC", "RBC", "HGB", "HCT", "MCV", "MCH", "MCHC", "RDW", "PLT"]
    )
    hgb = TestDefinition.objects.get(code="HGB")
    assert (hgb.loinc, hgb.unit, hgb.critical_low, hgb.critical_high) == (
        "718-7",
        "g/dL",
        Decimal("7.0"),
        Decimal("20.0"),
    )
    assert set(Panel.objects.values_list("code", flat=True)) == {
        "CBC", "BMP", "CMP", "LIPID", "THYROID", "UA"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("sex", "age", "value", "flag", "range_text"),
    [
        ("F", 40, "12.5", "N", "12-15.5"),
        ("M", 40, "12.5", "L", "13.5-17.5"),  # same value, low for a man
        ("M", 40, "17.0", "N", "13.5-17.5"),
        ("F", 40, "17.0", "H", "12-15.5"),
        (None, 40, "17.0", "N", "12-17.5"),  # unknown sex: the neutral range
        (None, 10, "16.0", "H", "11.5-15.5"),  # child band
        ("F", 40, "6.9", "LL", "12-15.5"),
        ("M", 70, "20.5", "HH", "13.5-17.5"),
        ("M", 40, "7.0", "L", "13.5-17.5"),  # at the limit is not critical
    ],
)
def test_hemoglobin_flag_by_sex_and_age_band(sex, age, value, flag, range_text):
    hgb = TestDefinition.objects.get(code="HGB")
    result = flags.flag_numeric(test=hgb, value=Decimal(value), sex=sex, age_years=age)
    assert (result.flag, result.range_text) == (flag, range_text)


def test_a_one_sided_range_flags_only_its_side():
    hdl = TestDefinition.objects.get(code="HDL")
    assert flags.flag_numeric(test=hdl, value=Decimal("45"), sex="F", age_years=50) == (
        flags.Assessment("L", ">=50")
    )
    assert flags.flag_numeric(test=hdl, value=Decimal("45"), sex="M", age_years=50) == (
        flags.Assessment("N", ">=40")
    )


def test_coded_results_are_abnormal_outside_the_normal_answers():
    strep = TestDefinition.objects.get(code="STREP")
    assert flags.flag_coded(test=strep, value="Not detected").flag == "N"
    assert flags.flag_coded(test=strep, value="Detected").flag == "A"


def test_the_labs_flag_wins_when_sent():
    assert flags.lab_flag("hh") == "HH"
    assert flags.lab_flag(" ") is None
    assert flags.lab_flag("ZZ") is None


def test_sex_at_birth_is_unknown_until_registration_is_connected():
    patient = PatientFactory()
    assert patient_facts.sex_at_birth(patient) is None
    patient.birth_date = date(2000, 6, 15)
    assert patient_facts.age_in_years(patient, on=date(2026, 6, 14)) == 25
    assert patient_facts.age_in_years(patient, on=date(2026, 6, 15)) == 26


def test_an_order_holds_each_test_once_and_gets_the_next_accession():
    first = make_order(panels=("CBC", "CMP", "BMP"), tests=("HGB", "TSH"))
    codes = sorted(i.test.code for i in first.items.all())
    assert len(codes) == len(set(codes)) == 9 + 14 + 1  # BMP is inside CMP
    second = make_order()
    assert first.accession[:7] == second.accession[:7]
    assert int(second.accession[7:]) == int(first.accession[7:]) + 1
    assert first.ordering_clinician.groups.get().name == "Clinician"


@pytest.mark.parametrize("code", ["E119", "11.9", "E11.", "E11.12345", "e"])
def test_a_reason_code_of_the_wrong_shape_is_refused(code):
    with pytest.raises(ValidationError) as error:
        make_order(reason_code=code)
    assert "reason_code" in error.value.message_dict
    assert DiagnosticOrder.objects.count() == 0


def test_an_order_needs_a_test():
    with pytest.raises(ValidationError):
        services.order_create(
            patient=PatientFactory(), reason_code="E11.9", actor=clinician()
        )


def test_reference_ranges_follow_the_registered_sex_at_birth():
    sex_at_birth = patient_facts.sex_at_birth
    assert sex_at_birth(PatientFactory(sex_at_birth="F")) == "F"
    assert sex_at_birth(PatientFactory(sex_at_birth="M")) == "M"
    assert sex_at_birth(PatientFactory(sex_at_birth="U")) is None
    assert sex_at_birth(PatientFactory(sex_at_birth="X")) is None
