"""A resource type served from several tables (``ResourceType.parts``).

Communication is the outbox's messages (ids ``12``) and the texts patients sent
in (ids ``received-12``). Each table is declared in full (model, queryset,
mapper, the same search parameters with its own fields) and keeps its own
history, so read, vread and ``_history`` of one record go to the table its id
names (``locate``); a search runs once per table and pages them as one, in
(sort key, table, pk) order (``fhir.search.search_tables``); a type-level
``_history`` merges the tables' changes newest first.
"""

from clinic.fhir_declaration import ResourceType
from fhir.values import pk_of


def tables(resource: ResourceType) -> tuple[ResourceType, ...]:
    """The declarations of the tables serving ``resource``, the first its own."""
    return (resource, *resource.parts)


def locate(resource: ResourceType, ident: str) -> tuple[ResourceType, int | None]:
    """The table whose id ``ident`` is, and its pk there (None: no record's)."""
    for part in tables(resource):
        pk = pk_of(ident, part.id_prefix)
        if pk is not None:
            return part, pk
    return resource, None


def grouped(parts: tuple[ResourceType, ...], hits: list) -> list[tuple]:
    """(table, its rows) for each table, from a page's (table index, row)."""
    return [
        (part, [row for index, row in hits if index == number])
        for number, part in enumerate(parts)
    ]


def check_parts(declared: ResourceType) -> None:
    """Tables of one type answer one search: the same parameters (name and
    type), includes and sorts, distinct id prefixes, no revinclude (a reference
    to the type names no table)."""
    shape = (
        [(p.name, p.type) for p in declared.search],
        declared.includes,
        set(declared.sorts),
    )
    prefixes = {part.id_prefix for part in tables(declared)}
    for part in declared.parts:
        same = ([(p.name, p.type) for p in part.search], part.includes, set(part.sorts))
        if part.name != declared.name or same != shape or part.parts:
            raise ValueError(f"{declared.name}: a table declares another search")
    if len(prefixes) != len(tables(declared)):
        raise ValueError(f"{declared.name}: its tables need distinct id prefixes")
    if declared.parts and declared.revincludes:
        raise ValueError(f"{declared.name}: a type of several tables has no revinclude")
