"""Patient through the HTTP layer: read, search, paging, errors."""

import pytest

from clinic.models import AccessLog
from tests.fhir.schema import assert_valid_r4
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_a_patient_is_read_with_its_version_and_logged_under_the_client(api):
    patient = PatientFactory(family_name="Okafor", given_name="Ada")
    body = api.json(f"Patient/{patient.pk}")
    assert_valid_r4(body)
    assert body["name"][0] == {"use": "official", "family": "Okafor", "given": ["Ada"]}
    assert "address" not in body  # none given: no address of "use" alone
    assert body["meta"]["versionId"] == str(patient.history.latest().history_id)
    row = AccessLog.objects.get(patient=patient)
    assert row.username == "fhir-client:test-ehr" and row.user is None


def test_search_by_name_and_identifier(api):
    ada = PatientFactory(family_name="Okafor", given_name="Ada")
    PatientFactory(family_name="Smith", given_name="Bob")
    bundle = api.json("Patient", {"name": "oka"})
    assert_valid_r4(bundle)
    assert [e["resource"]["id"] for e in bundle["entry"]] == [str(ada.pk)]
    bundle = api.json("Patient", {"identifier": f"urn:clinicops:mrn|{ada.mrn}"})
    assert [e["resource"]["id"] for e in bundle["entry"]] == [str(ada.pk)]


def test_paging_follows_next_links(api):
    made = {str(PatientFactory().pk) for _ in range(7)}
    assert len(api.pages("Patient", {"_count": "3"})) == 3
    assert sorted(api.ids("Patient", {"_count": "3"})) == sorted(made)


def test_no_token_is_401_operation_outcome(anonymous_api):
    response = anonymous_api.get("Patient")
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"


def test_metadata_is_public(anonymous_api):
    body = anonymous_api.json("metadata")
    assert_valid_r4(body)
    assert "Patient" in [r["type"] for r in body["rest"][0]["resource"]]
