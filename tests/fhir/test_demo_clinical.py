"""Every clinical resource of the demo clinic, as a client reads it: each search
page of each type valid R4 and parsed by fhirclient, and the queries a page costs
do not grow with its size."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import alerts.fhir
import diagnostics.fhir
import medications.fhir
from fhir.registry import resource_type as resource_type_of
from fhir.tables import tables
from tests.fhir.valid import assert_valid

pytestmark = pytest.mark.django_db
TYPES = [
    declared.name
    for module in (medications.fhir, diagnostics.fhir, alerts.fhir)
    for declared in module.RESOURCES
]


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--patients", "12", "--seed", "7", stdout=StringIO())


def _all_pages(api, resource_type: str, count: int) -> list[dict]:
    entries, path, params = [], resource_type, {"_count": str(count)}
    while path:
        bundle = assert_valid(api.json(path, params))
        entries += bundle.get("entry", [])
        following = [x["url"] for x in bundle["link"] if x["relation"] == "next"]
        path, params = (
            (following[0].split("/fhir/", 1)[1], None) if following else (None, None)
        )
    return entries


def test_every_demo_resource_is_valid_r4_paged_once_at_a_fixed_query_cost(api, demo):
    for resource_type in TYPES:
        entries = _all_pages(api, resource_type, 7)
        assert entries, f"the demo has no {resource_type}"
        seen = [e["resource"]["id"] for e in entries]
        assert len(seen) == len(set(seen)), resource_type
        served = tables(resource_type_of(resource_type))
        assert len(seen) == sum(table.queryset().count() for table in served)
        for entry in entries[:3]:
            body = api.json(f"{resource_type}/{entry['resource']['id']}")
            assert assert_valid(body) == {**entry["resource"], "meta": body["meta"]}
        # A page costs the same queries at any size (no query per row).
        small, large = _queries(api, resource_type, 2), _queries(api, resource_type, 20)
        assert small == large, resource_type


def _queries(api, resource_type: str, count: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        api.json(resource_type, {"_count": str(count)})
    return len(captured)
