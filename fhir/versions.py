"""Resource versions from django-simple-history: ``meta``, vread and ``_history``.

A record's versions are its history rows: ``meta.versionId`` is the row's
``history_id`` and ``meta.lastUpdated`` its ``history_date``. A record whose
last history row is a deletion is gone (410). A record loaded without history
(a bulk load) has no version: no ``versionId`` and no ETag.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from clinic.fhir_datatypes import meta
from clinic.fhir_declaration import ResourceType
from fhir.errors import FhirError

# simple-history's history_type -> the FHIR request method of that change
METHODS = {"+": "POST", "~": "PUT", "-": "DELETE"}


@dataclass(frozen=True)
class Version:
    version_id: int | None
    last_updated: datetime | None


NO_VERSION = Version(None, None)


def history_model(resource: ResourceType):
    return resource.model.history.model


def latest_versions(resource: ResourceType, pks) -> dict:
    """pk -> its latest Version, for a page of rows: one query, the ids bound as
    one array (an ``IN`` of a bulk export's 2,000 placeholders cost the export
    more to build and parse than the rows it found)."""
    model = history_model(resource)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, MAX(history_id), MAX(history_date) FROM {table} "
            "WHERE id = ANY(%s) GROUP BY id",
            [list(pks)],
        )
        return {pk: Version(vid, at) for pk, vid, at in cursor.fetchall()}


def render(resource: ResourceType, obj, version: Version) -> dict:
    """The resource of ``obj`` with its ``meta`` (version, time, profile)."""
    body = resource.to_fhir(obj)
    body["meta"] = meta(
        version_id=version.version_id,
        last_updated=version.last_updated,
        profile=resource.profile or None,
    )
    if not body["meta"]:
        del body["meta"]
    return body


def render_history_row(resource: ResourceType, row) -> dict:
    return render(resource, row.instance, Version(row.history_id, row.history_date))


def deleted_row(resource: ResourceType, pk: int):
    """The deletion history row of a record no longer in its table, or None."""
    last = history_model(resource).objects.filter(id=pk).order_by("-history_id").first()
    return last if last is not None and last.history_type == "-" else None


def version_row(resource: ResourceType, pk: int, version_id: int):
    row = history_model(resource).objects.filter(id=pk, history_id=version_id).first()
    if row is None:
        raise FhirError(
            404,
            "not-found",
            f"{resource.name}/{pk} has no version {version_id}.",
        )
    if row.history_type == "-":
        raise FhirError(
            410,
            "deleted",
            f"Version {version_id} of {resource.name}/{pk} is its deletion.",
        )
    return row


def history_entry(resource: ResourceType, row, base: str) -> dict:
    """One Bundle entry of a ``history`` Bundle: the version and its change."""
    url = f"{resource.name}/{resource.id_prefix}{row.id}"
    method = METHODS[row.history_type]
    entry = {
        "fullUrl": f"{base}{url}",
        "request": {
            "method": method,
            "url": url if method != "POST" else resource.name,
        },
        "response": {
            "status": "204" if method == "DELETE" else "200",
            "etag": f'W/"{row.history_id}"',
        },
    }
    if method != "DELETE":
        entry["resource"] = render_history_row(resource, row)
    return entry
