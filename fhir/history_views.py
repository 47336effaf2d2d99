"""``_history`` Bundles (instance and type level), newest change first.

``_count`` is capped at ``MAX_COUNT`` silently (a history Bundle has no place
for an OperationOutcome entry).

Paged by keyset on the history row's id (descending), like searches: a change
written while a client pages lands before its first page, never inside one.
"""

from fhir import bundles
from fhir.access import log_reads
from fhir.errors import invalid
from fhir.http import base_url, fhir_response
from fhir.paging import Cursor, cursor_read
from fhir.search import DEFAULT_COUNT, FORMATS, parse_count
from fhir.values import parse_date
from fhir.versions import history_entry, history_model

HISTORY_SORT = "-_history"


def history_bundle(request, grant, resource, pk: int | None):
    count = DEFAULT_COUNT
    since = after = None
    query = []
    for key, raw in ((k, v) for k, vs in request.GET.lists() for v in vs):
        if key == "_count":
            count, _capped_from = parse_count(raw)
        elif key == "_since":
            since = parse_date(raw, "_since").start
        elif key == "_cursor":
            after = cursor_read(raw, sort=HISTORY_SORT)
            continue
        elif key == "_format" and raw in FORMATS:
            pass
        else:
            raise invalid(
                f"_history takes _count and _since, not {key}.", expression=key
            )
        query.append((key, raw))
    rows = history_model(resource).objects.all()
    if pk is not None:
        rows = rows.filter(id=pk)
    else:
        rows = rows.filter(id__in=resource.queryset().values("pk"))
    if since is not None:
        rows = rows.filter(history_date__gte=since)
    if after is not None:
        rows = rows.filter(history_id__lt=after.pk)
    found = list(rows.order_by("-history_id")[: count + 1])
    following = None
    if len(found) > count and count:
        following = Cursor(
            sort=HISTORY_SORT, value=None, pk=found[count - 1].history_id
        )
    found = found[:count]
    base = base_url(request)
    entries = [history_entry(resource, row, base) for row in found]
    path = f"{resource.name}/{pk}/_history" if pk else f"{resource.name}/_history"
    what = f"FHIR history {path}"
    log_reads(
        grant=grant,
        request=request,
        groups=[(resource, [row.instance for row in found])],
        what=what,
    )
    link = bundles.links(base, path, query, after, following)
    return fhir_response(bundles.bundle("history", link, entries))
