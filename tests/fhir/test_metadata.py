"""The CapabilityStatement lists exactly what works: this test reads it and
exercises every resource type, interaction, search parameter, _include,
_revinclude and _sort it declares against the demo clinic.

A resource type another app declares is walked with nothing added here; a
search parameter whose value cannot be found in a served resource fails until
its declaration says where (``SearchParam(expression=...)``).
"""

from io import StringIO

import pytest
from django.core.management import call_command

from fhir.registry import resource_types
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


def _exercise_search(api, declared: dict, sample: dict) -> None:
    kind, ident = declared["type"], sample["id"]
    for param in declared.get("searchParam", []):
        name = param["name"]
        if name == "_lastUpdated":
            value = f"le{sample['meta']['lastUpdated']}"
        elif name == "_id":
            value = ident
        else:
            spec = resource_types()[kind].param(name)
            expression = spec.expression or f"{kind}.{name}"
            found = [
                search_value(param["type"], v) for v in values_at(sample, expression)
            ]
            found = [v for v in found if v]
            assert found, f"{kind}?{name}: no value at {expression} in {kind}/{ident}"
            value = found[0]
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


def _exercise_interactions(api, declared: dict, sample: dict) -> None:
    kind, ident = declared["type"], sample["id"]
    codes = {i["code"] for i in declared["interaction"]}
    if "read" in codes:
        assert_r4(api.json(f"{kind}/{ident}"))
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
        bundle = api.json(declared["type"], {"_count": "1000"})
        assert bundle.get("entry"), f"the demo clinic has no {declared['type']}"
        assert not any(link["relation"] == "next" for link in bundle["link"])
        assert_r4(bundle)
        sample = bundle["entry"][-1]["resource"]
        _exercise_interactions(api, declared, sample)
        _exercise_search(api, declared, sample)
        _exercise_includes(api, declared, sample)
