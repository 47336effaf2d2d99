"""The FHIR R4 REST interactions: read, vread, search, history, create, metadata.

Thin: find the declaration, check the token's scope, call a selector, answer.
"""

from django.utils.http import http_date

from clinic.fhir_declaration import ResourceType
from fhir import bundles, related
from fhir.access import log_reads
from fhir.capability import capability_statement
from fhir.computed import computed_read, computed_search
from fhir.errors import FhirError, invalid
from fhir.history_views import history_bundle
from fhir.http import authorize, base_url, fhir_endpoint, fhir_response, json_body
from fhir.registry import resource_type, versioned_type, withheld
from fhir.search import parse_search, search_tables
from fhir.tables import grouped, locate, tables
from fhir.values import pk_of
from fhir.versions import (
    NO_VERSION,
    Version,
    deleted_row,
    latest_versions,
    render,
    render_history_row,
    version_row,
)

REPLACED_BY = "urn:clinicops:fhir-issue"


def _methods(request, *allowed: str) -> None:
    if request.method not in allowed:
        raise FhirError(
            405,
            "not-supported",
            f"{request.method} is not served here (allowed: {', '.join(allowed)}).",
            headers={"Allow": ", ".join(allowed)},
        )


def _gone_or_missing(request, resource: ResourceType, pk: int | None, ident: str):
    """The FhirError for an id the queryset does not serve: 410 for a merged-away
    or deleted record, 404 otherwise."""
    if pk and withheld(resource, pk):
        return FhirError(
            403,
            "forbidden",
            f"{resource.name}/{ident} is a restricted patient's record: it opens "
            "only through break-glass on the clinic's pages, never through the API.",
        )
    row = resource.model._default_manager.filter(pk=pk).first() if pk else None
    survivor = resource.replaced_by(row) if row and resource.replaced_by else None
    if survivor:
        kind, other = survivor
        return FhirError(
            410,
            "deleted",
            f"{resource.name}/{ident} was merged into {kind}/{other}; "
            f"read {kind}/{other}.",
            details={
                "coding": [{"system": REPLACED_BY, "code": "replaced-by"}],
                "text": f"{base_url(request)}{kind}/{other}",
            },
        )
    if row is None and pk and deleted_row(resource, pk) is not None:
        return FhirError(410, "deleted", f"{resource.name}/{ident} was deleted.")
    return FhirError(404, "not-found", f"There is no {resource.name}/{ident}.")


def _instance(request, resource: ResourceType, pk: int | None, ident: str):
    obj = resource.queryset().filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise _gone_or_missing(request, resource, pk, ident)
    return obj


def _served_or_deleted(request, resource: ResourceType, pk: int, ident: str):
    """Refuse (404/410, as a read would) the versions of a record the queryset
    does not serve, unless it was deleted: an Appointment never checked in has
    history rows, but no Encounter versions."""
    if not resource.queryset().filter(pk=pk).exists() and not deleted_row(resource, pk):
        raise _gone_or_missing(request, resource, pk, ident)


def _etag(version: Version) -> str | None:
    return f'W/"{version.version_id}"' if version.version_id is not None else None


def _resource_answer(request, grant, resource, obj, version, what):
    etag = _etag(version)
    headers = {}
    if etag:
        headers["ETag"] = etag
        wanted = request.headers.get("If-None-Match", "")
        if etag in [tag.strip() for tag in wanted.split(",")]:
            return fhir_response(None, 304, headers)
    if version.last_updated:
        headers["Last-Modified"] = http_date(version.last_updated.timestamp())
    log_reads(grant=grant, request=request, groups=[(resource, [obj])], what=what)
    return fhir_response(render(resource, obj, version), headers=headers)


@fhir_endpoint
def metadata(request):
    _methods(request, "GET", "HEAD")
    return fhir_response(capability_statement(base_url(request)))


metadata.token_authenticated = False  # public, as SMART asks


def _matches(base: str, parts, hits: list) -> tuple[list, list]:
    """The entries of a page's (table index, row) hits, and (table, rows)."""
    groups = grouped(parts, hits)
    versions = [
        latest_versions(part, [row.pk for row in rows]) for part, rows in groups
    ]
    entries = [
        bundles.resource_entry(
            base, parts[part], row, versions[part].get(row.pk, NO_VERSION), "match"
        )
        for part, row in hits
    ]
    return entries, groups


def _related(base: str, resource, groups: list, searches: list) -> tuple[list, list]:
    """The entries ``_include`` and ``_revinclude`` add to a page whose
    (table, rows) are ``groups``, and their (type, rows)."""
    search = searches[0]
    own_rows = groups[0][1]  # a type of several tables has no revinclude
    extra = related.included(
        [
            (part, rows, s.includes)
            for (part, rows), s in zip(groups, searches, strict=True)
        ],
        resource_type,
    )
    extra += related.revincluded(own_rows, search.revincludes)
    entries, found = [], []
    for other, rows, versions in extra:
        found.append((other, rows))
        entries += [
            bundles.resource_entry(
                base, other, row, versions.get(row.pk, NO_VERSION), "include"
            )
            for row in rows
        ]
    entries += [
        bundles.body_entry(base, body, "include")
        for body in related.computed_revincluded(resource, own_rows, search.revincludes)
    ]
    return entries, found


@fhir_endpoint
def type_endpoint(request, type_name: str):
    resource = resource_type(type_name)
    if request.method == "POST" and resource.create:
        return _create(request, resource)
    _methods(request, "GET", "HEAD", *(["POST"] if resource.create else []))
    grant = authorize(request, resource.name, "s")
    if resource.computed:
        return computed_search(request, resource)
    query = [(k, v) for k, vs in request.GET.lists() for v in vs]
    parts = tables(resource)
    searches = [parse_search(part, query, registry=resource_type) for part in parts]
    search = searches[0]
    for param in search.includes:
        authorize(request, param.target, "r")
    for other, _param in search.revincludes:
        authorize(request, other.name, "r")
    page = search_tables(searches)
    base = base_url(request)
    entries, groups = _matches(base, parts, page.rows)
    more, found = _related(base, resource, groups, searches)
    entries += more
    groups += found
    if search.count_capped_from is not None:
        entries.append(
            bundles.outcome_entry(
                "warning",
                "too-costly",
                f"_count={search.count_capped_from} was lowered to the most a page "
                f"holds, {search.count}.",
            )
        )
    log_reads(
        grant=grant, request=request, groups=groups, what=f"FHIR {resource.name} search"
    )
    link = bundles.links(
        base, resource.name, search.query, search.after, page.next_cursor
    )
    return fhir_response(bundles.bundle("searchset", link, entries))


def _create(request, resource: ResourceType):
    grant = authorize(request, resource.name, "c")
    body = json_body(request)
    if body["resourceType"] != resource.name:
        raise invalid(f"The body is a {body['resourceType']}, not a {resource.name}.")
    obj = resource.create(body, client_name=grant.username)
    version = latest_versions(resource, [obj.pk]).get(obj.pk, NO_VERSION)
    location = f"{base_url(request)}{resource.name}/{obj.pk}"
    if version.version_id is not None:
        location += f"/_history/{version.version_id}"
    headers = {"Location": location}
    if etag := _etag(version):
        headers["ETag"] = etag
    prefer = request.headers.get("Prefer", "")
    body = render(resource, obj, version) if "return=representation" in prefer else None
    return fhir_response(body, 201, headers)


@fhir_endpoint
def instance_endpoint(request, type_name: str, ident: str):
    resource = resource_type(type_name)
    _methods(request, "GET", "HEAD")
    grant = authorize(request, resource.name, "r")
    if resource.computed:
        return computed_read(resource, ident)
    resource, pk = locate(resource, ident)
    obj = _instance(request, resource, pk, ident)
    version = latest_versions(resource, [obj.pk]).get(obj.pk, NO_VERSION)
    what = f"FHIR read {resource.name}/{resource.id_prefix}{obj.pk}"
    return _resource_answer(request, grant, resource, obj, version, what)


@fhir_endpoint
def vread_endpoint(request, type_name: str, ident: str, version_id: str):
    resource = versioned_type(type_name)
    _methods(request, "GET", "HEAD")
    grant = authorize(request, resource.name, "r")
    (resource, pk), vid = locate(resource, ident), pk_of(version_id)
    if pk is None or vid is None:
        raise FhirError(404, "not-found", f"There is no {resource.name}/{ident}.")
    _served_or_deleted(request, resource, pk, ident)
    row = version_row(resource, pk, vid)
    version = Version(row.history_id, row.history_date)
    what = f"FHIR vread {resource.name}/{resource.id_prefix}{pk}/_history/{vid}"
    etag = _etag(version)
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return fhir_response(None, 304, {"ETag": etag})
    log_reads(
        grant=grant, request=request, groups=[(resource, [row.instance])], what=what
    )
    return fhir_response(render_history_row(resource, row), headers={"ETag": etag})


@fhir_endpoint
def type_history_endpoint(request, type_name: str):
    resource = versioned_type(type_name)
    _methods(request, "GET", "HEAD")
    grant = authorize(request, resource.name, "r")
    return history_bundle(request, grant, resource, None)


@fhir_endpoint
def instance_history_endpoint(request, type_name: str, ident: str):
    resource = versioned_type(type_name)
    _methods(request, "GET", "HEAD")
    grant = authorize(request, resource.name, "r")
    resource, pk = locate(resource, ident)
    if pk is None or not resource.model.history.model.objects.filter(id=pk).exists():
        raise FhirError(404, "not-found", f"There is no {resource.name}/{ident}.")
    _served_or_deleted(request, resource, pk, ident)
    return history_bundle(request, grant, resource, pk)


@fhir_endpoint
def not_found(request, rest: str = ""):
    raise FhirError(
        404, "not-found", f"/fhir/{rest} is not a FHIR endpoint of this server."
    )
