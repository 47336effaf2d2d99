"""Bundles: a search's page (``searchset``) and a record's versions (``history``)."""

from urllib.parse import urlencode

from clinic.clock import now
from clinic.fhir_datatypes import instant
from clinic.fhir_declaration import ResourceType
from fhir.errors import issue
from fhir.paging import Cursor
from fhir.versions import Version, render


def page_url(base: str, path: str, query: list[tuple[str, str]], cursor: str | None):
    pairs = [*query, ("_cursor", cursor)] if cursor else list(query)
    return f"{base}{path}" + (f"?{urlencode(pairs)}" if pairs else "")


def links(base, path, query, this: Cursor | None, following: Cursor | None):
    found = [
        {
            "relation": "self",
            "url": page_url(base, path, query, this.text() if this else None),
        }
    ]
    if following is not None:
        found.append(
            {"relation": "next", "url": page_url(base, path, query, following.text())}
        )
    return found


def bundle(kind: str, link: list[dict], entries: list[dict]) -> dict:
    body = {
        "resourceType": "Bundle",
        "type": kind,
        "timestamp": instant(now()),
        "link": link,
        "entry": entries,
    }
    if not entries:
        del body["entry"]
    return body


def resource_entry(
    base: str, resource: ResourceType, obj, version: Version, mode: str
) -> dict:
    return body_entry(base, render(resource, obj, version), mode)


def body_entry(base: str, body: dict, mode: str) -> dict:
    """A search Bundle's entry of a resource already built."""
    return {
        "fullUrl": f"{base}{body['resourceType']}/{body['id']}",
        "resource": body,
        "search": {"mode": mode},
    }


def outcome_entry(severity: str, code: str, diagnostics: str) -> dict:
    return {
        "resource": {
            "resourceType": "OperationOutcome",
            "issue": [issue(severity, code, diagnostics)],
        },
        "search": {"mode": "outcome"},
    }
