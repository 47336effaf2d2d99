"""Read and search of a resource type the app computes (``Computed``: Slot).

The query is read as strictly as a stored type's (an unknown parameter or a
malformed value is a 400), the values parsed by ``fhir.values``, then handed to
the app; the page's ``next`` link carries the last id in a signed cursor, so
the app pages by keyset too. No versions: no ETag, vread or history.
"""

from clinic.fhir_declaration import ResourceType
from fhir import bundles, values
from fhir.errors import FhirError, invalid
from fhir.http import base_url, fhir_response
from fhir.paging import Cursor, cursor_read
from fhir.search import DEFAULT_COUNT, FORMATS, declared_param, parse_count

PARSERS = {
    "date": lambda raw, param: values.parse_date(raw, param.name),
    "token": lambda raw, param: values.parse_token(raw),
    "reference": lambda raw, param: values.parse_reference(
        raw, param.target, param.name
    ),
    "string": lambda raw, param: raw,
}


def _parsed(resource: ResourceType, name: str, modifier: str, raw: str) -> list:
    if modifier:
        raise invalid(f"{name} takes no :{modifier} modifier.", expression=name)
    parts = values.split_values(raw, name)
    if name == "_id":
        return parts
    param = declared_param(resource, name)
    return [PARSERS[param.type](part, param) for part in parts]


def computed_search(request, resource: ResourceType):
    query = [(k, v) for k, vs in request.GET.lists() for v in vs]
    params: dict[str, list[list]] = {}
    count, after = DEFAULT_COUNT, None
    for key, raw in query:
        name, _, modifier = key.partition(":")
        if "\x00" in key or "\x00" in raw:
            raise invalid("The query holds a NUL character.")
        if name == "_count":
            count = parse_count(raw)[0]
        elif name == "_cursor":
            after = cursor_read(raw, sort="_id").value
        elif name == "_format":
            if raw not in FORMATS:
                raise FhirError(406, "not-supported", "Only JSON is served.")
        elif name.startswith("_") and name != "_id":
            raise invalid(
                f"{resource.name} takes no {name} (it is computed, not stored).",
                expression=name,
            )
        else:
            params.setdefault(name, []).append(_parsed(resource, name, modifier, raw))
    found, more = resource.computed.search(params, after=after, count=count)
    base = base_url(request)
    kept = [(k, v) for k, v in query if k != "_cursor"]
    following = Cursor("_id", found[-1]["id"], 0) if more and found else None
    this = Cursor("_id", after, 0) if after else None
    entries = [bundles.body_entry(base, body, "match") for body in found]
    link = bundles.links(base, resource.name, kept, this, following)
    return fhir_response(bundles.bundle("searchset", link, entries))


def computed_read(resource: ResourceType, ident: str):
    body = resource.computed.read(ident)
    if body is None:
        raise FhirError(404, "not-found", f"There is no {resource.name}/{ident}.")
    return fhir_response(body)
