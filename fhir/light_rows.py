"""Light rows for a bulk export: plain values in place of model instances.

A type that declares ``light`` (the ORM paths its mapper reads) is exported from
``values_list`` tuples dressed as named tuples with the same attribute names
(``row.family_name``, ``row.order.patient_id``), so the one mapper serves both
and a million rows cost no model instances and no field conversions (a phone
number arrives as its stored E.164 text, not parsed again). A related row whose
pk is None (a NULL foreign key) is None, as on a model.
``tests/fhir/test_light_rows.py`` holds the mapper's output over light rows
byte-identical to its output over model instances.
"""

from collections import namedtuple
from collections.abc import Iterator
from operator import itemgetter

from django.db.models import F, TextField
from django.db.models.functions import Cast


class _Node:
    """One level of a row: a named tuple of its own columns (picked from the
    database row by one ``itemgetter``), then its related rows' nodes. A related
    row whose pk is NULL is None."""

    def __init__(self, names: tuple[str, ...], columns: list[int], children: list):
        own = len(columns)
        self.cls = namedtuple("LightRow", names + tuple(n for n, _ in children))
        self.pick = itemgetter(*columns, columns[0])  # a tuple even of one column
        self.children = tuple(child for _, child in children)
        self.own = own

    def build(self, values: tuple):
        fields = self.pick(values)
        if fields[0] is None:  # no related row: its pk is NULL
            return None
        if not self.children:
            return self.cls._make(fields[: self.own])
        return self.cls._make(
            fields[: self.own] + tuple(child.build(values) for child in self.children)
        )


def _tree(paths: tuple[str, ...]) -> dict:
    """{"pk": path, "order": {"pk": ..., "patient_id": ...}}: every level starts
    with its pk."""
    tree: dict = {"pk": "pk"}
    for path in paths:
        *hops, last = path.split("__")
        level, prefix = tree, []
        for hop in hops:
            prefix.append(hop)
            level = level.setdefault(hop, {"pk": "__".join([*prefix, "pk"])})
        level[last] = path
    return tree


def _converted(model, path: str) -> bool:
    """Whether ``path`` ends at a field with its own conversion from the database
    (a phone number): read as its stored text instead."""
    *hops, last = path.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model
    if last == "pk":
        return False
    field = model._meta.get_field(last.removesuffix("_id"))
    return hasattr(field, "from_db_value") and not field.is_relation


def light_rows(queryset, paths: tuple[str, ...], *, chunk_size: int) -> Iterator:
    """The rows of ``queryset`` as light rows carrying ``paths``, streamed."""
    columns: list[str] = []

    def node(level: dict) -> _Node:
        own, names, children = [], [], []
        for name, value in level.items():
            if isinstance(value, dict):
                children.append((name, node(value)))
            else:
                columns.append(value)
                own.append(len(columns) - 1)
                names.append(name)
        return _Node(tuple(names), own, children)

    root = node(_tree(paths))
    model = queryset.model
    expressions = [
        Cast(path, TextField()) if _converted(model, path) else F(path)
        for path in columns
    ]
    values = queryset.values_list(*expressions).iterator(chunk_size=chunk_size)
    return (root.build(row) for row in values)
