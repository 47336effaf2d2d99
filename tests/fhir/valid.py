"""Both checks issue #19 asks of every resource: the official R4 JSON schema and
fhirclient 4.4 (an R4 client) parsing it strictly."""

from fhirclient.models.fhirelementfactory import FHIRElementFactory

from tests.fhir.schema import assert_valid_r4


def assert_valid(resource: dict) -> dict:
    """``resource`` valid R4 and parsed by fhirclient (returned for chaining)."""
    assert_valid_r4(resource)
    parsed = FHIRElementFactory.instantiate(resource["resourceType"], resource)
    assert parsed.as_json() == resource
    return resource
