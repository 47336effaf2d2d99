"""Every scheduling resource the API serves for the demo clinic is valid R4 and
parses in fhirclient: each search page, and each resource read on its own."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from fhirclient.models.fhirelementfactory import FHIRElementFactory

from smart.testing import issue_test_token
from tests.fhir.conftest import Api
from tests.fhir.schema import assert_valid_r4
from tests.scheduling.factories import next_weekday

pytestmark = pytest.mark.django_db


def every_page(api, path: str, params: dict) -> list[dict]:
    """The resources of every page of a search, each page checked."""
    found, params = [], {**params, "_count": "40"}
    while path:
        bundle = api.json(path, params)
        assert_valid_r4(bundle)
        found += [e["resource"] for e in bundle.get("entry", [])]
        following = [li["url"] for li in bundle["link"] if li["relation"] == "next"]
        path = following[0].split("/fhir/", 1)[1] if following else None
        params = None
    return found


def test_the_demo_clinics_scheduling_resources_are_valid(client):
    call_command(
        "seed_demo", "--patients", "12", "--days", "2", "--seed", "7", stdout=StringIO()
    )
    api = Api(client, issue_test_token())  # after the seed: it lives 5 minutes
    day = next_weekday()  # a Tuesday: the demo clinic works
    searches = {
        "Appointment": {"_include": "Appointment:patient"},
        "Encounter": {"_include": "Encounter:patient"},
        "Schedule": {},
        "Slot": {"status": "free", "start": [f"ge{day}", f"lt{day + timedelta(1)}"]},
    }

    for kind, params in searches.items():
        found = every_page(api, kind, params)

        mine = [r for r in found if r["resourceType"] == kind]
        assert mine, f"the demo clinic has no {kind}"
        assert len({r["id"] for r in mine}) == len(mine)
        for resource in found:
            FHIRElementFactory.instantiate(resource["resourceType"], resource)
        for resource in mine[:5]:
            assert api.json(f"{kind}/{resource['id']}")["id"] == resource["id"]
