"""``_history`` Bundles (instance and type level), newest change first.

``_count`` is capped at ``MAX_COUNT`` silently (a history Bundle has no place
for an OperationOutcome entry).

Paged by keyset on the history row's id (descending), like searches: a change
written while a client pages lands before its first page, never inside one. A
type of several tables (``fhir.tables``) pages by (time, table, history id).
"""

from fhir import bundles
from fhir.access import log_reads
from fhir.errors import invalid
from fhir.http import base_url, fhir_response
from fhir.paging import cursor_read, merged_page
from fhir.search import DEFAULT_COUNT, FORMATS, parse_count
from fhir.tables import grouped, tables
from fhir.values import parse_date
from fhir.versions import history_entry, history_model

HISTORY_SORT = "-_history"
MERGED_SORT = "-_lastUpdated"  # several tables: the key holds the change's time


def history_bundle(request, grant, resource, pk: int | None):
    count = DEFAULT_COUNT
    since = after = None
    parts = tables(resource) if pk is None else (resource,)
    # One table: newest change first by history id; several: by time.
    field, sort = (
        ("pk", HISTORY_SORT) if len(parts) == 1 else ("history_date", MERGED_SORT)
    )
    query = []
    for key, raw in ((k, v) for k, vs in request.GET.lists() for v in vs):
        if key == "_count":
            count, _capped_from = parse_count(raw)
        elif key == "_since":
            since = parse_date(raw, "_since").start
        elif key == "_cursor":
            after = cursor_read(raw, sort=sort)
            continue
        elif key == "_format" and raw in FORMATS:
            pass
        else:
            raise invalid(
                f"_history takes _count and _since, not {key}.", expression=key
            )
        query.append((key, raw))

    def changes(part: int, beyond):
        rows = history_model(parts[part]).objects.all()
        if pk is not None:
            rows = rows.filter(id=pk)
        else:
            rows = rows.filter(id__in=parts[part].queryset().values("pk"))
        if since is not None:
            rows = rows.filter(history_date__gte=since)
        if beyond is not None:
            rows = rows.filter(beyond)
        ordering = ["-pk"] if field == "pk" else ["-history_date", "-pk"]
        return list(rows.order_by(*ordering)[: count + 1])

    found, following = merged_page(
        changes,
        len(parts),
        after=after,
        sort=sort,
        field=field,
        descending=True,
        count=count,
    )
    base = base_url(request)
    entries = [history_entry(parts[part], row, base) for part, row in found]
    ident = f"{resource.id_prefix}{pk}"
    path = f"{resource.name}/{ident}/_history" if pk else f"{resource.name}/_history"
    what = f"FHIR history {path}"
    log_reads(
        grant=grant,
        request=request,
        groups=[
            (part, [row.instance for row in rows])
            for part, rows in grouped(parts, found)
        ],
        what=what,
    )
    link = bundles.links(base, path, query, after, following)
    return fhir_response(bundles.bundle("history", link, entries))
