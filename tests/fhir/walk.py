"""Reading the API as a generic client: values at a path, fhirclient parsing."""

from fhirclient.models.fhirelementfactory import FHIRElementFactory

from tests.fhir.schema import assert_valid_r4

# Which leaf of a complex value a search on it uses.
PREFERRED_KEYS = ("reference", "family", "given", "text", "value", "code", "start")


def parse_with_fhirclient(body: dict):
    """fhirclient 4.4's R4 model of ``body`` (strict: unknown elements fail)."""
    return FHIRElementFactory.instantiate(body["resourceType"], body)


def assert_r4(body: dict) -> None:
    assert_valid_r4(body)
    parse_with_fhirclient(body)


def values_at(resource: dict, expression: str) -> list:
    """The values at a dotted path ("Patient.name.family"), lists flattened; the
    path's steps match element names in any case ("birthdate" finds birthDate)."""
    found = [resource]
    for step in expression.split(".")[1:]:
        following = []
        for value in found:
            if not isinstance(value, dict):
                continue
            key = next((k for k in value if k.lower() == step.lower()), None)
            if key is None:
                continue
            item = value[key]
            following += item if isinstance(item, list) else [item]
        found = following
    return found


def search_value(kind: str, value) -> str | None:
    """A search value of type ``kind`` that matches ``value`` (an element)."""
    if isinstance(value, dict):
        if kind == "token" and "coding" in value:
            return search_value(kind, value["coding"][0])
        if kind == "token" and "system" in value:
            code = value.get("code") or value.get("value")
            return f"{value['system']}|{code}"
        if kind == "token":
            return None  # text alone (a CodeableConcept without a coding)
        key = next((k for k in PREFERRED_KEYS if k in value), None)
        return search_value(kind, value[key]) if key else None
    if isinstance(value, bool):
        return str(value).lower() if kind == "token" else None
    if kind == "string" and isinstance(value, str):
        return value.split()[0] if value.split() else None
    if kind == "date" and isinstance(value, str):
        return f"eq{value}"
    return str(value)
