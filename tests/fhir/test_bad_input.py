"""Bad input to the API: an OperationOutcome with a 4xx, never a 500."""

import pytest

from fhir.errors import FhirError
from fhir.http import json_body
from registration.models import Patient
from tests.fhir.schema import assert_valid_r4
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db

INJECTIONS = [
    "'; DROP TABLE registration_patient; --",
    "%' OR '1'='1",
    "o\\'k",
    "_%",
    "<script>alert(1)</script>",
    "Robert'); --",
    "ä" * 150,
    "(",
    "*",
]


def _outcome(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert_valid_r4(body)
    return body


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("param", ["name", "family", "given", "identifier", "_id"])
def test_injection_strings_in_search_values_match_nothing(api, param, value):
    PatientFactory(family_name="Okafor")
    bundle = api.json("Patient", {param: value})
    assert bundle.get("entry", []) == []
    assert Patient.objects.count() == 1


# name=value pairs that must be refused, each naming the parameter at fault.
BAD_QUERIES = [
    "colour=red",
    "_summary=true",
    "birthdate=1990-13-01",
    "birthdate=yesterday",
    "birthdate=ge1990-02-30",
    "_lastUpdated=2026-01-01T25:00",
    "_count=-1",
    "_count=ten",
    "_sort=address",
    "_include=Patient:nothing",
    "_cursor=forged",
    "name=",
    "name:fuzzy=ada",
]


@pytest.mark.parametrize("pair", BAD_QUERIES)
def test_a_bad_parameter_is_a_400_naming_it(api, pair):
    key, _, value = pair.partition("=")
    body = _outcome(api.get("Patient", {key: value}), 400)
    if ":" not in key:
        assert body["issue"][0]["expression"] == [key]


def test_a_nul_in_a_search_is_a_400_outcome(api):
    _outcome(api.get("Patient", {"name": "a\x00b"}), 400)


def test_count_above_the_cap_is_lowered_with_a_warning(api):
    PatientFactory()
    bundle = api.json("Patient", {"_count": "100000"})
    assert_valid_r4(bundle)
    outcomes = [e for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert outcomes[0]["resource"]["issue"][0]["severity"] == "warning"
    assert "1000" in outcomes[0]["resource"]["issue"][0]["diagnostics"]


def test_unknown_resource_type_is_a_400(api):
    _outcome(api.get("Spaceship"), 400)
    _outcome(api.get("Spaceship/1"), 400)


@pytest.mark.parametrize("ident", ["999999", "abc", "1.5", "0", "-1"])
def test_an_id_that_is_not_ours_is_a_404(api, ident):
    _outcome(api.get(f"Patient/{ident}"), 404)


def test_a_path_outside_the_api_is_a_404_outcome(api):
    _outcome(api.get("Patient/1/2/3/4"), 404)
    _outcome(api.get("$export!"), 404)


def test_a_post_where_no_create_is_declared_is_a_405(api):
    _outcome(api.post("Patient", {"resourceType": "Patient"}), 405)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/fhir+json", 400),
        (b"\xff\xfe", "application/fhir+json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"resourceType": 7}', "application/fhir+json", 400),
        (b'{"resourceType": "Appointment"}', "text/plain", 415),
    ],
)
def test_a_malformed_body_is_refused_before_any_create(rf, body, content_type, status):
    request = rf.post("/fhir/Appointment", body, content_type=content_type)
    with pytest.raises(FhirError) as refused:
        json_body(request)
    assert refused.value.status == status
    assert_valid_r4(refused.value.outcome())
