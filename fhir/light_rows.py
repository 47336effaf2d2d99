"""Light rows for a bulk export: plain values in place of model instances.

A type that declares ``light`` (the ORM paths its mapper reads) is exported from
``values_list`` tuples dressed as objects with the same attribute names
(``row.family_name``, ``row.order.patient_id``), so the one mapper serves both
and a million rows cost no model instances and no field conversions (a phone
number arrives as its stored E.164 text, not parsed again). A related row whose
pk is None (a NULL foreign key) is None, as on a model.
``tests/fhir/test_light_rows.py`` holds the mapper's output over light rows
byte-identical to its output over model instances.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import F, TextField
from django.db.models.functions import Cast


@dataclass(frozen=True)
class _Node:
    """One level of a row: its attribute names and, per name, a column index or
    the node of a related row."""

    names: tuple[str, ...]
    parts: tuple  # int (column) or _Node (related row)
    cls: type

    def build(self, values: tuple):
        fields = []
        for part in self.parts:
            if isinstance(part, _Node):
                fields.append(part.build(values))
            else:
                fields.append(values[part])
        if fields[0] is None:  # no related row: its pk is NULL
            return None
        return self.cls(*fields)


def _row_class(names: tuple[str, ...]) -> type:
    def __init__(self, *values):
        for name, value in zip(names, values, strict=True):
            object.__setattr__(self, name, value)

    return type("LightRow", (), {"__slots__": names, "__init__": __init__})


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
        parts = []
        for value in level.values():
            if isinstance(value, dict):
                parts.append(node(value))
            else:
                columns.append(value)
                parts.append(len(columns) - 1)
        names = tuple(level)
        return _Node(names, tuple(parts), _row_class(names))

    root = node(_tree(paths))
    model = queryset.model
    expressions = [
        Cast(path, TextField()) if _converted(model, path) else F(path)
        for path in columns
    ]
    values = queryset.values_list(*expressions).iterator(chunk_size=chunk_size)
    return (root.build(row) for row in values)
