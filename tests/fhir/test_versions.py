"""Versions from the record's own history: vread, _history, ETag, 410."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.fhir_datatypes import instant
from clinic.models import AccessLog
from registration.services import patient_merge
from tests.fhir.walk import assert_r4
from tests.registration.factories import AllergyFactory, CoverageFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _rename(patient, family: str):
    patient.family_name = family
    patient.save()
    return patient.history.latest()


def test_every_change_is_a_version_that_vread_returns_as_it_was(api):
    patient = PatientFactory(family_name="Before")
    first = patient.history.latest()
    second = _rename(patient, "After")
    old = api.json(f"Patient/{patient.pk}/_history/{first.history_id}")
    assert_r4(old)
    assert old["name"][0]["family"] == "Before"
    assert old["meta"]["versionId"] == str(first.history_id)
    assert old["meta"]["lastUpdated"] == instant(first.history_date)
    now = api.json(f"Patient/{patient.pk}")
    assert (now["name"][0]["family"], now["meta"]["versionId"]) == (
        "After",
        str(second.history_id),
    )
    history = api.json(f"Patient/{patient.pk}/_history")
    assert_r4(history)
    assert [e["resource"]["meta"]["versionId"] for e in history["entry"]] == [
        str(second.history_id),
        str(first.history_id),
    ]
    assert [e["request"]["method"] for e in history["entry"]] == ["PUT", "POST"]


def test_a_version_of_another_record_is_not_found(api):
    one, other = PatientFactory(), PatientFactory()
    version = other.history.latest().history_id
    response = api.get(f"Patient/{one.pk}/_history/{version}")
    assert response.status_code == 404


def test_etag_and_if_none_match(api):
    patient = PatientFactory()
    response = api.get(f"Patient/{patient.pk}")
    etag = response["ETag"]
    assert etag == f'W/"{patient.history.latest().history_id}"'
    logged = AccessLog.objects.count()
    unchanged = api.get(f"Patient/{patient.pk}", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert AccessLog.objects.count() == logged  # no data shown, no row
    _rename(patient, "Changed")
    changed = api.get(f"Patient/{patient.pk}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_merged_away_patient_is_gone_with_a_link_to_the_survivor(api, make_user):
    survivor, duplicate = PatientFactory(), PatientFactory()
    patient_merge(
        survivor=survivor, duplicate=duplicate, reason="same person", actor=make_user()
    )
    response = api.get(f"Patient/{duplicate.pk}")
    assert response.status_code == 410
    issue = response.json()["issue"][0]
    assert f"Patient/{survivor.pk}" in issue["diagnostics"]
    assert issue["details"]["text"].endswith(f"/fhir/Patient/{survivor.pk}")
    assert_r4(response.json())
    found = api.json("Patient", {"_id": f"{survivor.pk},{duplicate.pk}"})
    assert [e["resource"]["id"] for e in found["entry"]] == [str(survivor.pk)]


def test_a_deleted_record_is_gone_and_its_history_shows_the_deletion(api):
    allergy = AllergyFactory()
    pk = allergy.pk
    allergy.delete()
    assert api.get(f"AllergyIntolerance/{pk}").status_code == 410
    history = api.json(f"AllergyIntolerance/{pk}/_history")
    assert_r4(history)
    assert history["entry"][0]["request"]["method"] == "DELETE"
    assert "resource" not in history["entry"][0]


def test_type_history_pages_newest_first(api):
    patients = [PatientFactory() for _ in range(3)]
    _rename(patients[0], "Latest")
    for page in api.pages("Patient/_history", {"_count": "2"}):
        assert_r4(page)
    seen = api.ids(
        "Patient/_history", {"_count": "2"}, key=lambda r: int(r["meta"]["versionId"])
    )
    assert seen == sorted(seen, reverse=True) and len(seen) == 4


def test_last_updated_searches_the_history(api):
    old = PatientFactory()
    cut = (timezone.now() + timedelta(seconds=1)).replace(microsecond=0)
    time.sleep((cut - timezone.now()).total_seconds() + 0.01)
    new = PatientFactory()
    assert api.ids("Patient", {"_lastUpdated": f"ge{instant(cut)}"}) == [str(new.pk)]
    assert api.ids("Patient", {"_lastUpdated": f"lt{instant(cut)}"}) == [str(old.pk)]
    day = cut.date().isoformat()
    assert len(api.ids("Patient", {"_lastUpdated": f"le{day}"})) == 2


def test_sort_by_birthdate_pages_in_order_both_ways(api):
    for year in (1990, 1950, 1970, 1950, 2001):
        PatientFactory(birth_date=f"{year}-05-05")
    for sort in ("birthdate", "-birthdate"):
        params = {"_sort": sort, "_count": "2"}
        days = api.ids("Patient", params, key=lambda r: r["birthDate"])
        assert days == sorted(days, reverse=sort.startswith("-")) and len(days) == 5


def test_include_brings_the_patient_and_logs_each_patient_once(api):
    coverage = CoverageFactory()
    CoverageFactory(patient=coverage.patient)
    bundle = api.json(
        "Coverage",
        {"patient": f"Patient/{coverage.patient_id}", "_include": "Coverage:patient"},
    )
    assert_r4(bundle)
    modes = sorted(
        (e["search"]["mode"], e["resource"]["resourceType"]) for e in bundle["entry"]
    )
    assert modes == [
        ("include", "Patient"),
        ("match", "Coverage"),
        ("match", "Coverage"),
    ]
    rows = AccessLog.objects.filter(patient=coverage.patient)
    assert rows.count() == 1 and rows.get().username == "fhir-client:test-ehr"
