"""A FHIR search as ORM lookups, and one keyset page of its matches.

``parse_search(resource, query)`` reads the query string strictly (an unknown
parameter, modifier or malformed value is a 400) into a :class:`Search`;
``search_page(search)`` is the selector: it filters the resource's queryset,
orders by (sort key, pk) and returns one page plus the key of its last row.
The next page starts after that key, so rows written meanwhile never shift a
page: each row that existed at the start is met exactly once. A type served
from several tables is one search per table (``search_tables``), paged as one.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import DateField, DateTimeField, Exists, OuterRef, Q

from clinic.fhir_declaration import ResourceType, SearchParam
from fhir import values
from fhir.errors import FhirError, invalid
from fhir.paging import Cursor, cursor_read, merged_page

DEFAULT_COUNT = 20
MAX_COUNT = 1000
# Result parameters the API understands (besides the resource's own).
CONTROL = {"_count", "_sort", "_include", "_revinclude", "_cursor", "_format"}
COMMON = {"_id", "_lastUpdated"}
FORMATS = {"json", "application/json", "application/fhir+json"}
STRING_MODIFIERS = ("", "exact", "contains")


@dataclass
class Search:
    resource: ResourceType
    filters: list = field(default_factory=list)  # (queryset -> queryset)
    count: int = DEFAULT_COUNT
    count_capped_from: int | None = None
    sort: str = "_id"  # a key of resource.sorts or "_id", "-" for descending
    includes: list[SearchParam] = field(default_factory=list)
    revincludes: list[tuple[ResourceType, SearchParam]] = field(default_factory=list)
    after: Cursor | None = None
    query: list[tuple[str, str]] = field(default_factory=list)  # for links

    @property
    def sort_field(self) -> str:
        name = self.sort.lstrip("-")
        return "pk" if name == "_id" else self.resource.sorts[name]

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")


@dataclass
class Page:
    rows: list
    next_cursor: Cursor | None


def _string_filter(param: SearchParam, modifier: str, raw_values: list[str]):
    if modifier not in STRING_MODIFIERS:
        raise invalid(f"{param.name} takes no :{modifier} modifier.")
    if param.apply:
        return lambda rows: param.apply(rows, modifier, raw_values)
    default = "icontains" if param.match == "contains" else "istartswith"
    lookup = {"": default, "exact": "exact", "contains": "icontains"}[modifier]
    q = reduce(
        or_,
        (Q(**{f"{f}__{lookup}": v}) for v in raw_values for f in param.fields),
    )
    return lambda rows: rows.filter(q)


def _token_filter(param: SearchParam, modifier: str, raw_values: list[str]):
    if modifier:
        raise invalid(f"{param.name} takes no :{modifier} modifier.")
    tokens = [values.parse_token(v) for v in raw_values]
    if param.apply:
        return lambda rows: param.apply(rows, modifier, tokens)
    q = Q(pk__in=[])
    for system, code in tokens:
        if param.systems:
            fields = [param.systems[system]] if system in param.systems else []
            if system is None:
                fields = list(param.systems.values())
        else:
            fields = list(param.fields)
        stored = param.codes.get(code) if param.codes else code
        if stored is None or not code:
            continue
        for name in fields:
            q |= Q(**{name: stored})
    return lambda rows: rows.filter(q)


def _reference_filter(param: SearchParam, modifier: str, raw_values: list[str]):
    if modifier not in ("", param.target):
        raise invalid(f"{param.name} takes no :{modifier} modifier.")
    pks = [
        values.pk_of(values.parse_reference(v, param.target, param.name))
        for v in raw_values
    ]
    q = Q(**{f"{param.fields[0]}__in": [pk for pk in pks if pk is not None]})
    if param.apply:
        return lambda rows: param.apply(rows, modifier, pks)
    return lambda rows: rows.filter(q)


def _range_q(name: str, prefix: str, start, end) -> Q:
    inside = Q(**{f"{name}__gte": start, f"{name}__lt": end})
    return {
        "eq": inside,
        "ne": ~inside,
        "lt": Q(**{f"{name}__lt": start}),
        "eb": Q(**{f"{name}__lt": start}),
        "le": Q(**{f"{name}__lt": end}),
        "gt": Q(**{f"{name}__gte": end}),
        "sa": Q(**{f"{name}__gte": end}),
        "ge": Q(**{f"{name}__gte": start}),
    }[prefix]


def _date_filter(param: SearchParam, modifier: str, raw_values: list[str], model):
    if modifier:
        raise invalid(f"{param.name} takes no :{modifier} modifier.")
    ranges = [values.parse_date(v, param.name) for v in raw_values]
    if param.apply:
        return lambda rows: param.apply(rows, modifier, ranges)
    q = Q(pk__in=[])
    for dates in ranges:
        for name in param.fields:
            start, end = dates.bounds_for(_is_date_only(model, name))
            q |= _range_q(name, dates.prefix, start, end)
    return lambda rows: rows.filter(q)


def _model_field(model, path: str):
    *hops, last = path.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model
    return model._meta.get_field(last)


def _is_date_only(model, path: str) -> bool:
    target = _model_field(model, path)
    return isinstance(target, DateField) and not isinstance(target, DateTimeField)


def _id_filter(resource: ResourceType, modifier: str, raw_values: list[str]):
    if modifier:
        raise invalid(f"_id takes no :{modifier} modifier.")
    pks = [values.pk_of(v, resource.id_prefix) for v in raw_values]
    return lambda rows: rows.filter(pk__in=[pk for pk in pks if pk is not None])


def _last_updated_filter(resource: ResourceType, modifier: str, raw_values: list[str]):
    """``_lastUpdated`` on the record's history rows: its last change is in the
    range when a change falls in it and none after it (the history_date index)."""
    if modifier:
        raise invalid(f"_lastUpdated takes no :{modifier} modifier.")
    history = resource.model.history.model
    q = Q(pk__in=[])
    for dates in (values.parse_date(v, "_lastUpdated") for v in raw_values):

        def changed(since, before=None):
            rows = history.objects.filter(id=OuterRef("pk"), history_date__gte=since)
            return Exists(rows.filter(history_date__lt=before) if before else rows)

        start, end = dates.start, dates.end
        last_inside = Q(changed(start, end)) & ~Q(changed(end))
        q |= {
            "eq": last_inside,
            "ne": ~last_inside,
            "lt": ~Q(changed(start)),
            "eb": ~Q(changed(start)),
            "le": ~Q(changed(end)),
            "gt": Q(changed(end)),
            "sa": Q(changed(end)),
            "ge": Q(changed(start)),
        }[dates.prefix]
    return lambda rows: rows.filter(q)


def declared_param(resource: ResourceType, name: str) -> SearchParam:
    """The search parameter ``name`` of ``resource``; a 400 when it has none."""
    param = resource.param(name)
    if param is None:
        raise invalid(
            f"{resource.name} has no search parameter {name!r}; "
            "/fhir/metadata lists those it has.",
            expression=name,
        )
    return param


def _param_filter(resource: ResourceType, name: str, modifier: str, raw: list[str]):
    if name == "_id":
        return _id_filter(resource, modifier, raw)
    if name == "_lastUpdated":
        return _last_updated_filter(resource, modifier, raw)
    param = declared_param(resource, name)
    if param.type == "string":
        return _string_filter(param, modifier, raw)
    if param.type == "token":
        return _token_filter(param, modifier, raw)
    if param.type == "reference":
        return _reference_filter(param, modifier, raw)
    if param.type == "date":
        return _date_filter(param, modifier, raw, resource.model)
    raise FhirError(400, "not-supported", f"{name}: {param.type} search is not served.")


def parse_count(raw: str) -> tuple[int, int | None]:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise invalid("_count takes a whole number.", expression="_count")
    count = int(raw)
    return (MAX_COUNT, count) if count > MAX_COUNT else (count, None)


def _sort(resource: ResourceType, raw: str) -> str:
    if raw.lstrip("-") not in ("_id", *resource.sorts):
        allowed = ", ".join(("_id", *resource.sorts))
        raise invalid(f"_sort takes one of: {allowed}.", expression="_sort")
    return raw


def _include(resource: ResourceType, raw: str) -> SearchParam:
    kind, _, rest = raw.partition(":")
    name, _, target = rest.partition(":")
    param = resource.param(name)
    if kind != resource.name or name not in resource.includes or param is None:
        allowed = ", ".join(f"{resource.name}:{p}" for p in resource.includes)
        raise invalid(
            f"_include={raw} is not served here; allowed: {allowed or 'none'}.",
            expression="_include",
        )
    if target and target != param.target:
        raise invalid(f"_include={raw}: {name} refers to {param.target}.")
    return param


def _revinclude(resource: ResourceType, raw: str, registry) -> tuple:
    kind, _, name = raw.partition(":")
    if raw not in resource.revincludes:
        allowed = ", ".join(resource.revincludes) or "none"
        raise invalid(
            f"_revinclude={raw} is not served here; allowed: {allowed}.",
            expression="_revinclude",
        )
    other = registry(kind)
    return other, other.param(name)


def parse_search(
    resource: ResourceType, query: list[tuple[str, str]], *, registry
) -> Search:
    """``query``: the query string's (key, value) pairs in order; ``registry``:
    resource type name -> declaration (for ``_revinclude``)."""
    search = Search(
        resource=resource, query=[(k, v) for k, v in query if k != "_cursor"]
    )
    cursor_text = None
    for key, raw in query:
        name, _, modifier = key.partition(":")
        if "\x00" in key or "\x00" in raw:
            raise invalid("The query holds a NUL character.")
        if name == "_count":
            search.count, search.count_capped_from = parse_count(raw)
        elif name == "_sort":
            search.sort = _sort(resource, raw)
        elif name == "_include":
            search.includes.append(_include(resource, raw))
        elif name == "_revinclude":
            search.revincludes.append(_revinclude(resource, raw, registry))
        elif name == "_cursor":
            cursor_text = raw
        elif name == "_format":
            if raw not in FORMATS:
                raise FhirError(406, "not-supported", "Only JSON is served.")
        elif name.startswith("_") and name not in COMMON:
            raise invalid(f"The parameter {name} is not supported.", expression=name)
        else:
            raw_values = values.split_values(raw, name)
            search.filters.append(_param_filter(resource, name, modifier, raw_values))
    if cursor_text is not None:
        search.after = cursor_read(cursor_text, sort=search.sort)
    return search


def _rows_after(search: Search, beyond: Q | None) -> list:
    """Up to a page and one row of the search's matches after ``beyond``, in
    (sort key, pk) order.

    One round trip: the page's ids in a subquery (which an index can answer
    without reading the table: for a common name, a walk of the covering index
    in id order), then only those rows."""
    rows = search.resource.queryset()
    for apply in search.filters:
        rows = apply(rows)
    if beyond is not None:
        rows = rows.filter(beyond)
    key, pk = search.sort_field, "pk"
    if search.descending:
        key, pk = f"-{key}", "-pk"
    ordering = [pk] if search.sort_field == "pk" else [key, pk]
    page_ids = rows.order_by(*ordering).values("pk")[: search.count + 1]
    return list(search.resource.queryset().filter(pk__in=page_ids).order_by(*ordering))


def search_tables(searches: list[Search]) -> Page:
    """One page of the matches of one search per table of a type
    (``fhir.tables``), as (table index, row) pairs in (sort key, table, pk)
    order after the first search's cursor; ``next_cursor`` is set when more
    rows follow."""
    first = searches[0]
    rows, following = merged_page(
        lambda part, beyond: _rows_after(searches[part], beyond),
        len(searches),
        after=first.after,
        sort=first.sort,
        field=first.sort_field,
        descending=first.descending,
        count=first.count,
    )
    return Page(rows=rows, next_cursor=following)


def search_page(search: Search) -> Page:
    """One page of the search's matches in (sort key, pk) order, after the
    cursor's key; ``next_cursor`` is set when more rows follow."""
    page = search_tables([search])
    return Page(rows=[row for _part, row in page.rows], next_cursor=page.next_cursor)
