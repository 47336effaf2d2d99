"""Following references: ``_include`` / ``_revinclude`` and a row's patient."""

from clinic.fhir_declaration import ResourceType
from fhir.versions import latest_versions

# At most this many rows are added by each _revinclude of a page.
REVINCLUDE_LIMIT = 1000


def key_at(obj, path: str):
    """The pk at the end of an ORM path from ``obj`` ("patient" -> obj.patient_id;
    "order__patient" -> obj.order.patient_id; "" or "pk" -> obj.pk), or None."""
    if path in ("", "pk"):
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id")


def included(groups, registry) -> list[tuple[ResourceType, list, dict]]:
    """(type, rows, versions) for each type the ``_include``s of a page reach,
    each record once; ``groups``: (type, its rows on the page, its ``_include``
    parameters), one per table of the searched type (``fhir.tables``)."""
    wanted: dict[str, set] = {}
    for resource, rows, params in groups:
        for param in params:
            pks = {key_at(row, param.fields[0]) for row in rows} - {None}
            if resource.name == param.target:
                pks -= {row.pk for row in rows}
            wanted.setdefault(param.target, set()).update(pks)
    found = []
    for name, pks in wanted.items():
        if pks:
            target = registry(name)
            found.append(_with_versions(target, target.queryset().filter(pk__in=pks)))
    return found


def revincluded(rows: list, pairs) -> list[tuple[ResourceType, list, dict]]:
    """(type, rows, versions) for each ``_revinclude`` (other type, its param)."""
    found = []
    pks = [row.pk for row in rows]
    for other, param in pairs:
        if pks and not other.computed:
            matches = other.queryset().filter(**{f"{param.fields[0]}__in": pks})
            found.append(
                _with_versions(other, matches.order_by("pk")[:REVINCLUDE_LIMIT])
            )
    return found


def _with_versions(resource: ResourceType, queryset):
    rows = list(queryset)
    return resource, rows, latest_versions(resource, [row.pk for row in rows])


def computed_revincluded(resource: ResourceType, rows: list, pairs) -> list[dict]:
    """The resources of each computed ``_revinclude`` (Provenance) of a page."""
    return [
        body
        for other, _param in pairs
        if other.computed
        for body in other.computed.revinclude(resource, rows)
    ]
