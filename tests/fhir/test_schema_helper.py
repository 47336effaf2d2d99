"""The schema check itself must be able to fail."""

import pytest

from tests.fhir.schema import schema_errors

GOOD = {
    "resourceType": "Patient",
    "id": "p1",
    "name": [{"family": "Lopez", "given": ["Maria"]}],
    "gender": "female",
    "birthDate": "1980-02-29",
}


def test_a_valid_patient_passes():
    assert schema_errors(GOOD) == []


@pytest.mark.parametrize(
    "change",
    [
        {"gender": "woman"},
        {"birthDate": "29/02/1980"},
        {"name": "Maria Lopez"},
        {"id": "not valid!"},
        {"unknownField": 1},
    ],
)
def test_an_invalid_patient_fails(change):
    assert schema_errors(GOOD | change)


def test_a_bundle_entry_is_checked_as_its_own_type():
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": GOOD | {"gender": "woman"}}],
    }
    assert any("Patient/gender" in e for e in schema_errors(bundle))


def test_not_a_resource_type():
    with pytest.raises(AssertionError):
        schema_errors({"resourceType": "Bot"})
