"""Appointment, Encounter and Schedule through /fhir/: read, search, includes."""

from datetime import timedelta

import pytest
from fhirclient.models.fhirelementfactory import FHIRElementFactory

from clinic.models import AccessLog
from scheduling.models import Appointment, Location
from tests.fhir.schema import assert_valid_r4
from tests.fhir.test_bulk_export import ASYNC, _finished, _kick_off, _ndjson
from tests.registration import factories as reg
from tests.scheduling import factories as sched

pytestmark = pytest.mark.django_db
S = Appointment.Status


@pytest.fixture
def visits(db):
    """Three visits of one patient (booked, checked in, done at the infusion
    unit) and one of another patient, checked in."""
    main = sched.LocationFactory(code="main")
    infusion = sched.LocationFactory(code="inf", kind=Location.Kind.INFUSION)
    provider, other = sched.ProviderFactory(), sched.ProviderFactory()
    sched.weekly_hours(provider, main)
    follow_up = sched.AppointmentTypeFactory(name="Follow-up", billing_code="99213")
    ada, bob = reg.PatientFactory(), reg.PatientFactory()
    day = sched.next_weekday()

    def visit(patient, hour, status, location=main, who=provider, **stamps):
        start = sched.local(day, hour)
        for name in stamps:
            stamps[name] = start + timedelta(minutes=stamps[name])
        return sched.AppointmentFactory(
            patient=patient,
            provider=who,
            location=location,
            appointment_type=follow_up,
            start=start,
            status=status,
            **stamps,
        )

    return {
        "ada": ada,
        "bob": bob,
        "provider": provider,
        "other": other,
        "type": follow_up,
        "main": main,
        "day": day,
        "booked": visit(ada, 9, S.SCHEDULED),
        "arrived": visit(ada, 11, S.ARRIVED, arrived_at=-5),
        "done": visit(
            ada,
            14,
            S.COMPLETED,
            infusion,
            arrived_at=0,
            in_room_at=10,
            completed_at=90,
        ),
        "bob_roomed": visit(bob, 10, S.IN_ROOM, who=other, arrived_at=0, in_room_at=5),
    }


def ids(bundle: dict) -> list[str]:
    assert_valid_r4(bundle)
    return [
        e["resource"]["id"]
        for e in bundle.get("entry", [])
        if e["search"]["mode"] == "match"
    ]


def pks(*rows) -> list[str]:
    return [str(row.pk) for row in rows]


def sorted_query(visits, query: dict) -> dict:
    """``query`` with the fixture's ids filled in, sorted by date."""
    values = {
        "day": visits["day"].isoformat(),
        "done_pk": visits["done"].pk,
        "booked_pk": visits["booked"].pk,
        **{name: visits[name].pk for name in ("ada", "bob", "other", "type")},
    }
    return {**{k: v.format(**values) for k, v in query.items()}, "_sort": "date"}


@pytest.mark.parametrize("kind", ["Appointment", "Encounter"])
def test_a_visit_reads_with_its_version_and_an_access_log_row(api, visits, kind):
    visit = visits["arrived"]

    response = api.get(f"{kind}/{visit.pk}")

    assert response.status_code == 200
    body = response.json()
    assert_valid_r4(body)
    FHIRElementFactory.instantiate(kind, body)
    version = visit.history.latest().history_id
    assert body["meta"]["versionId"] == str(version)
    assert response["ETag"] == f'W/"{version}"'
    row = AccessLog.objects.get(patient=visits["ada"])
    assert row.username == "fhir-client:test-ehr"
    assert (
        api.get(
            f"{kind}/{visit.pk}", headers={"If-None-Match": f'W/"{version}"'}
        ).status_code
        == 304
    )


def test_an_encounter_carries_the_us_core_profile(api, visits):
    body = api.json(f"Encounter/{visits['done'].pk}")

    assert body["meta"]["profile"] == [
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-encounter"
    ]
    assert (body["status"], body["class"]["code"]) == ("finished", "SS")


def test_a_visit_not_checked_in_is_an_appointment_but_no_encounter(api, visits):
    booked = visits["booked"].pk

    assert api.json(f"Appointment/{booked}")["status"] == "booked"
    outcome = api.json(f"Encounter/{booked}", status=404)
    assert outcome["resourceType"] == "OperationOutcome"


def test_a_visit_not_checked_in_has_no_encounter_versions(api, visits):
    booked = visits["booked"]
    version = booked.history.latest().history_id

    assert api.json(f"Appointment/{booked.pk}/_history/{version}")["id"] == str(
        booked.pk
    )
    for path in (
        f"Encounter/{booked.pk}/_history/{version}",
        f"Encounter/{booked.pk}/_history",
    ):
        outcome = api.json(path, status=404)
        assert outcome["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"patient": "{ada}"}, ["arrived", "done"]),
        ({"patient": "Patient/{ada}", "date": "{day}"}, ["arrived", "done"]),
        ({"patient": "{ada}", "date": "lt{day}"}, []),
        ({"status": "in-progress"}, ["bob_roomed"]),
        ({"status": "arrived,finished"}, ["arrived", "done"]),
        ({"status": "planned"}, []),
        ({"class": "AMB"}, ["bob_roomed", "arrived"]),
        ({"class": "http://terminology.hl7.org/CodeSystem/v3-ActCode|SS"}, ["done"]),
        (
            {"type": "http://www.ama-assn.org/go/cpt|99213", "patient": "{bob}"},
            ["bob_roomed"],
        ),
        (
            {"type": "urn:clinicops:appointment-type|{type}", "patient": "{bob}"},
            ["bob_roomed"],
        ),
        ({"type": "99999"}, []),
        ({"identifier": "urn:clinicops:visit|{done_pk}"}, ["done"]),
        ({"identifier": "abc"}, []),
        ({"_id": "{booked_pk}"}, []),
        ({"practitioner": "{other}"}, ["bob_roomed"]),
    ],
)
def test_encounter_searches(api, visits, query, expected):
    found = ids(api.json("Encounter", sorted_query(visits, query)))

    assert found == pks(*(visits[n] for n in expected))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"patient": "{ada}"}, ["booked", "arrived", "done"]),
        ({"patient": "{ada}", "status": "booked"}, ["booked"]),
        ({"status": "checked-in"}, ["bob_roomed"]),
        ({"status": "fulfilled,arrived"}, ["arrived", "done"]),
        ({"date": "ge{day}T10:30:00", "patient": "{ada}"}, ["arrived", "done"]),
        ({"practitioner": "Practitioner/{other}"}, ["bob_roomed"]),
        ({"service-type": "99213", "patient": "{bob}"}, ["bob_roomed"]),
        ({"_id": "{booked_pk}"}, ["booked"]),
    ],
)
def test_appointment_searches(api, visits, query, expected):
    found = ids(api.json("Appointment", sorted_query(visits, query)))

    assert found == pks(*(visits[n] for n in expected))


def test_a_search_includes_the_patients_and_logs_each(api, visits):
    bundle = api.json("Encounter", {"_include": "Encounter:patient"})

    assert sorted(ids(bundle)) == sorted(
        pks(visits["arrived"], visits["done"], visits["bob_roomed"])
    )
    included = [
        e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "include"
    ]
    assert sorted(r["id"] for r in included) == sorted(
        pks(visits["ada"], visits["bob"])
    )
    assert AccessLog.objects.filter(username="fhir-client:test-ehr").count() == 2


def test_a_schedule_per_provider_with_the_places_they_work(api, visits):
    provider = visits["provider"]

    body = api.json(f"Schedule/{provider.pk}")
    bundle = api.json("Schedule", {"actor": f"Practitioner/{provider.pk}"})

    assert_valid_r4(body)
    assert [a["reference"] for a in body["actor"]] == [
        f"Practitioner/{provider.pk}",
        f"Location/{visits['main'].pk}",
    ]
    assert ids(bundle) == [str(provider.pk)]
    assert ids(api.json("Schedule", {"identifier": provider.npi})) == [str(provider.pk)]
    assert AccessLog.objects.count() == 0  # no patient's data


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("Encounter", {"date": "yesterday"}),
        ("Encounter", {"patient": "Practitioner/1"}),
        ("Encounter", {"subject": "1"}),
        ("Appointment", {"_sort": "status"}),
        ("Schedule", {"actor": "Location/1"}),
        ("Appointment", {"patient": "1' OR '1'='1"}),
    ],
)
def test_bad_searches_are_400_operation_outcomes(api, visits, path, params):
    assert api.json(path, params, status=400)["resourceType"] == "OperationOutcome"


def test_an_encounters_history_holds_its_versions(api, visits):
    visit = visits["bob_roomed"]
    visit.status = S.COMPLETED
    visit.completed_at = visit.in_room_at + timedelta(minutes=20)
    visit.save()

    bundle = api.json(f"Encounter/{visit.pk}/_history")

    assert_valid_r4(bundle)
    statuses = [e["resource"]["status"] for e in bundle["entry"]]
    assert statuses == ["finished", "in-progress"]


def test_a_schedules_history_reads_its_versions(api, visits):
    provider = visits["provider"]
    provider.specialty = "Internal medicine"
    provider.save()
    first = provider.history.earliest().history_id

    bundle = api.json(f"Schedule/{provider.pk}/_history")
    old = api.json(f"Schedule/{provider.pk}/_history/{first}")

    assert_valid_r4(bundle)
    specialties = [e["resource"]["specialty"][0]["text"] for e in bundle["entry"]]
    assert specialties == ["Internal medicine", "Family medicine"]
    assert old["actor"][1]["reference"] == f"Location/{visits['main'].pk}"


def test_a_system_export_holds_visits_and_schedules_but_no_slots(api, visits):
    export = _kick_off(api, "$export", {"_since": "2000-01-01T00:00:00Z"})

    manifest = _finished(api, export)

    files = {o["type"]: o for o in manifest["output"]}
    assert {"Appointment", "Encounter", "Schedule"} <= set(files)
    assert "Slot" not in files
    encounters = _ndjson(api, files["Encounter"]["url"])
    assert sorted(r["id"] for r in encounters) == sorted(
        pks(visits["arrived"], visits["done"], visits["bob_roomed"])
    )
    for resource in encounters:
        assert_valid_r4(resource)
    refused = api.get("$export", {"_type": "Slot"}, headers=ASYNC)
    assert refused.status_code == 400
