"""Provenance from a record's history: who changed it, when, for whom."""

import pytest
from django.conf import settings

from clinic.fhir_datatypes import practitioner
from tests.fhir.walk import assert_r4
from tests.registration.factories import AllergyFactory, PatientFactory
from tests.scheduling.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def _included(bundle: dict) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "include"]


def test_a_revinclude_brings_the_provenance_of_each_current_version(api, make_user):
    doctor = make_user("Clinician", first_name="Gregory", last_name="House")
    ProviderFactory(user=doctor)
    patient = PatientFactory()
    patient.city = "Princeton"
    patient._history_user = doctor
    patient._change_reason = "moved"
    patient.save()
    version = patient.history.latest()

    bundle = api.json(
        "Patient", {"_id": str(patient.pk), "_revinclude": "Provenance:target"}
    )

    assert_r4(bundle)
    [provenance] = _included(bundle)
    assert provenance["id"] == f"Patient-{version.history_id}"
    assert provenance["target"] == [
        {"reference": f"Patient/{patient.pk}/_history/{version.history_id}"}
    ]
    assert provenance["activity"]["coding"][0]["code"] == "UPDATE"
    assert provenance["reason"] == [{"text": "moved"}]
    agent = provenance["agent"][0]
    assert agent["who"] == practitioner(doctor)
    assert agent["who"]["reference"].startswith("Practitioner/")
    assert agent["onBehalfOf"] == {"display": settings.CLINIC_NAME}
    assert api.json(f"Provenance/{provenance['id']}") == provenance


def test_a_change_without_a_user_is_the_clinics(api):
    allergy = AllergyFactory()
    bundle = api.json(
        "AllergyIntolerance",
        {"patient": str(allergy.patient_id), "_revinclude": "Provenance:target"},
    )
    [provenance] = _included(bundle)
    assert provenance["agent"][0]["who"] == {"display": settings.CLINIC_NAME}
    assert provenance["activity"]["coding"][0]["code"] == "CREATE"


def test_provenance_ids_that_name_nothing_served_are_404(api):
    restricted = PatientFactory(restriction="staff")
    version = restricted.history.latest().history_id
    for ident in (f"Patient-{version}", "Patient-999999", "Slot-1", "x", "Patient-"):
        api.json(f"Provenance/{ident}", status=404)


def test_a_provenance_search_needs_an_id(api):
    body = api.json("Provenance", status=400)
    assert "_revinclude=Provenance:target" in body["issue"][0]["diagnostics"]
    patient = PatientFactory()
    ident = f"Patient-{patient.history.latest().history_id}"
    bundle = api.json("Provenance", {"_id": ident})
    assert [e["resource"]["id"] for e in bundle["entry"]] == [ident]


def test_the_capability_statement_declares_the_revinclude(api):
    statement = api.json("metadata")
    by_type = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert by_type["Observation"]["searchRevInclude"] == ["Provenance:target"]
    assert by_type["Provenance"]["supportedProfile"] == [
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-provenance"
    ]
