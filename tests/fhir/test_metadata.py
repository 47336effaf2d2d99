"""The CapabilityStatement lists exactly what works: this test reads it and
exercises every resource type, interaction (conditional read and create too),
search parameter, _include, _revinclude, _sort and $export operation it
declares against the demo clinic. A type served from several tables
(Communication: messages sent and texts received) is exercised on each.

A resource type another app declares is walked with nothing added here; a
search parameter whose value cannot be found in a served resource fails until
its declaration says where (``SearchParam(expression=...)``).
"""

import re
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from fhir.registry import resource_types
from fhir.tables import tables
from registration.models import Patient
from scheduling.models import Appointment
from smart.testing import issue_test_token
from tests.fhir.test_scheduling_booking_api import booking
from tests.fhir.walk import assert_r4, search_value, values_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command(
        "seed_demo", "--patients", "12", "--days", "2", "--seed", "7", stdout=StringIO()
    )


def _ids(bundle: dict, mode: str = "match") -> list[str]:
    return [
        f"{e['resource']['resourceType']}/{e['resource']['id']}"
        for e in bundle.get("entry", [])
        if e["search"]["mode"] == mode
    ]


def _param_sample(kind: str, param: dict, resources: list[dict]) -> tuple:
    """The first resource of the Bundle with a value for ``param`` where its
    declaration says the value sits, and that value (a reference only when it
    points to the parameter's target type)."""
    spec = resource_types()[kind].param(param["name"])
    expression = spec.expression or f"{kind}.{param['name']}"
    for resource in resources:
        found = [
            search_value(param["type"], v) for v in values_at(resource, expression)
        ]
        found = [
            v
            for v in found
            if v and (param["type"] != "reference" or v.startswith(f"{spec.target}/"))
        ]
        if found:
            return resource, found[0]
    raise AssertionError(
        f"{kind}?{param['name']}: no resource has a value at {expression}"
    )


def _samples(kind: str, resources: list[dict]) -> list[dict]:
    """The last resource of each table serving ``kind`` (told apart by what
    their ids hold before the first digit); each table must serve the demo some."""
    by_table = {re.match(r"\D*", r["id"]).group(): r for r in resources}
    assert len(by_table) >= len(tables(resource_types()[kind])), f"{kind}: a table"
    return list(by_table.values())


def _exercise_search(api, declared: dict, resources: list[dict], last: dict) -> None:
    kind = declared["type"]
    for param in declared.get("searchParam", []):
        name, sample = param["name"], last
        if name == "_lastUpdated":
            value = f"le{sample['meta']['lastUpdated']}"
        elif name == "_id":
            value = sample["id"]
        else:
            sample, value = _param_sample(kind, param, resources)
        ident = sample["id"]
        bundle = api.json(kind, {name: value, "_id": ident})
        assert _ids(bundle) == [f"{kind}/{ident}"], f"{kind}?{name}={value}"
        assert_r4(api.json(kind, {name: value}))


def _exercise_includes(api, declared: dict, sample: dict) -> None:
    kind = declared["type"]
    for include in declared.get("searchInclude", []):
        bundle = api.json(kind, {"_include": include, "_count": "1000"})
        assert_r4(bundle)
        param = resource_types()[kind].param(include.split(":")[1])
        if _ids(bundle) and param.target != kind:
            assert _ids(bundle, "include"), f"{include} included nothing"
    for revinclude in declared.get("searchRevInclude", []):
        assert_r4(api.json(kind, {"_revinclude": revinclude, "_count": "1000"}))
    for sort in resource_types()[kind].sorts:
        for key in (sort, f"-{sort}"):
            assert_r4(api.json(kind, {"_sort": key, "_count": "3"}))


def _one_page(api, kind: str) -> dict:
    """Narrowing that makes a type's Bundle one page: a computed type (Slot, the
    free times of weeks ahead) is searched on the day of its first resource, the
    one-day ``start`` window its declaration allows; Provenance (searched by
    ``_id`` only) on the id a Patient's ``_revinclude`` gives."""
    if not resource_types()[kind].computed:
        return {}
    if kind == "Provenance":
        found = api.json("Patient", {"_revinclude": "Provenance:target"})
        return {"_id": _ids(found, "include")[0].split("/")[1]}
    first = api.json(kind, {"_count": "1"})["entry"][0]["resource"]
    day = date.fromisoformat(first["start"][:10])
    return {"start": [f"ge{day}T00:00:00Z", f"lt{day + timedelta(days=1)}T00:00:00Z"]}


def _exercise_interactions(api, declared: dict, sample: dict) -> None:
    kind, ident = declared["type"], sample["id"]
    codes = {i["code"] for i in declared["interaction"]}
    if "read" in codes:
        response = api.get(f"{kind}/{ident}")
        assert response.status_code == 200
        assert_r4(response.json())
        if declared["conditionalRead"] == "not-match":
            tag = {"If-None-Match": response["ETag"]}
            assert api.get(f"{kind}/{ident}", headers=tag).status_code == 304
    if "vread" in codes:
        version = sample["meta"]["versionId"]
        assert api.json(f"{kind}/{ident}/_history/{version}")["id"] == ident
    if "history-instance" in codes:
        history = api.json(f"{kind}/{ident}/_history")
        assert_r4(history)
        assert history["entry"], f"{kind}/{ident} has no history"
    if "history-type" in codes:
        assert_r4(api.json(f"{kind}/_history", {"_count": "5"}))


def test_everything_the_capability_statement_declares_works_and_is_valid_r4(api, demo):
    """(One test, so the demo clinic is seeded once.) Every resource of the demo
    clinic, each in its type's search Bundle, is valid R4 and parses in
    fhirclient."""
    statement = api.json("metadata")
    assert_r4(statement)
    declared_types = statement["rest"][0]["resource"]
    assert {r["type"] for r in declared_types} == set(resource_types())
    for declared in declared_types:
        # A token lives five minutes; the walk may take longer on a busy machine.
        api.token = issue_test_token()
        kind = declared["type"]
        bundle = api.json(kind, {"_count": "1000", **_one_page(api, kind)})
        assert bundle.get("entry"), f"the demo clinic has no {kind}"
        assert not any(link["relation"] == "next" for link in bundle["link"])
        assert_r4(bundle)
        resources = [e["resource"] for e in bundle["entry"]]
        for sample in _samples(kind, resources):
            _exercise_interactions(api, declared, sample)
            _exercise_search(api, declared, resources, sample)
        _exercise_includes(api, declared, resources[-1])
    _exercise_creates(api, declared_types)
    _exercise_exports(api, statement["rest"][0])


def _appointment(api) -> dict:
    """A booking of the first free slot for a demo patient who has no visit then
    (which patients have one depends on the hour the demo was seeded)."""
    slot = api.json("Slot", {"_count": "1"})["entry"][0]["resource"]
    start, end = (datetime.fromisoformat(slot[edge]) for edge in ("start", "end"))
    busy = Appointment.objects.filter(start__lt=end, end__gt=start).values("patient")
    patient = Patient.objects.exclude(pk__in=busy).order_by("pk").first()
    return booking(slot["id"], patient.pk)


CREATE_BODIES = {"Appointment": _appointment}


def _exercise_creates(api, declared_types: list[dict]) -> None:
    api.token = issue_test_token(client_name="writer", scopes=("system/*.crs",))
    for declared in declared_types:
        if {"code": "create"} in declared["interaction"]:
            kind = declared["type"]
            body = CREATE_BODIES[kind](api)  # a new create needs its body here
            response = api.post(kind, body, headers={"Prefer": "return=representation"})
            assert response.status_code == 201, response.content[:500]
            assert_r4(response.json())


def _exercise_exports(api, rest: dict) -> None:
    """Each declared $export kicks off (202 and a status URL)."""
    paths = [("$export", op) for op in rest.get("operation", [])]
    for declared in rest["resource"]:
        for op in declared.get("operation", []):
            kind = declared["type"]
            if kind == "Group":
                group = api.json("Group", {"_count": "1"})["entry"][0]["resource"]
                kind = f"Group/{group['id']}"
            paths.append((f"{kind}/$export", op))
    assert paths
    for path, op in paths:
        assert op["name"] == "export"
        asked = {"Prefer": "respond-async", "Accept": "application/fhir+json"}
        response = api.get(path, {"_type": "Patient"}, headers=asked)
        assert response.status_code == 202, (path, response.content[:300])
        assert "/fhir/$export-status/" in response["Content-Location"]
