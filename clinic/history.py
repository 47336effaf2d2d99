"""Writing many rows of a tracked model at once without losing their history.

``QuerySet.update()`` and ``bulk_update()`` skip history, so the code never calls
them (a test scans for it). A loop of ``save()`` calls keeps history but costs a
round trip and an ORM pass per row, which hot paths (the SMS sender, 835 posting)
cannot afford. ``rows_save`` writes the given columns of many rows in one batched
UPDATE (``executemany``, which psycopg pipelines) and their history rows in one
INSERT, with each row's own ``_change_reason``. (One ``UPDATE ... FROM (VALUES
...)`` per 2,000 rows measured no faster on the 835 benchmark: the server's
index upkeep is the cost, not the statement count.)

``rows_create`` is ``bulk_create_with_history`` for hot paths (HL7 results): the
rows and their history rows go by COPY, each value as the row holds it, and
Django's per-field preparation runs only for values psycopg cannot take as they are.
"""

from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_change_reason_from_object

_TEXT = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
_INTEGER = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField"}
_INTEGER |= {"BigIntegerField", "SmallIntegerField", "PositiveIntegerField"}
_INTEGER |= {"PositiveSmallIntegerField", "PositiveBigIntegerField"}
_PLAIN = {"BooleanField": (bool,), "DecimalField": (Decimal, int)}
_PLAIN |= dict.fromkeys(_TEXT, (str,)) | dict.fromkeys(_INTEGER, (int,))


def rows_save(
    rows: Iterable[models.Model], fields: Sequence[str], *, default_user=None
) -> list[models.Model]:
    """Save ``fields`` of every row (all of one model) and write a history row for
    each, in the caller's transaction. Returns the rows saved (each once).

    The history row is a snapshot of the instance, so its other fields must hold
    what the database holds (rows read under ``select_for_update``)."""
    unique = list({id(row): row for row in rows}.values())
    if not unique:
        return unique
    model = type(unique[0])
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    rows = [
        [
            field.get_db_prep_save(getattr(row, field.attname), connection)
            for field in columns
        ]
        + [row.pk]
        for row in unique
    ]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(meta.db_table)} SET {assignments} "
            f"WHERE {quote(meta.pk.column)} = %s",
            rows,
        )
    history_copy(unique, history_type="~", default_user=default_user)
    return unique


def _value_of(field: models.Field) -> Callable[[models.Model], object]:
    """The field's value of a row as COPY takes it: the Python value where psycopg
    writes it as Django would (str for text, int, bool, Decimal, aware datetimes),
    else what ``get_db_prep_save`` makes of it (JSON, naive datetimes, enums)."""
    attname, prep = field.attname, field.get_db_prep_save
    kind = (field.target_field if field.is_relation else field).get_internal_type()
    plain = _PLAIN.get(kind, ())
    stamps, texts = kind == "DateTimeField", kind in _TEXT

    def value(row):
        held = getattr(row, attname)
        if held is None or type(held) in plain or (texts and isinstance(held, str)):
            return held  # str subclasses: choices, which psycopg writes as text
        if stamps and type(held) is datetime and held.tzinfo is not None:
            return held
        return prep(held, connection)

    return value


def _copy(table: str, columns: list[str], rows: Iterable[Sequence]) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def history_copy(
    rows: Sequence[models.Model],
    *,
    history_type: str,
    default_user=None,
    default_reason: str | None = "",
) -> None:
    """The history rows simple-history's ``bulk_history_create`` writes for
    ``rows`` (saved, all of one model), written by COPY: each with its own
    ``_change_reason`` (else ``default_reason``), ``_history_user`` (else
    ``default_user``, else the request's user) and ``_history_date`` (else now)."""
    if not rows or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    if connection.vendor != "postgresql":  # the embedded SQLite has no COPY
        type(rows[0]).history.bulk_history_create(
            list(rows),
            update=history_type == "~",
            default_user=default_user,
            default_change_reason=default_reason,
        )
        return
    history = type(rows[0]).history.model
    tracked = history.tracked_fields
    meta = history._meta
    values = [_value_of(field) for field in tracked]
    columns = [meta.get_field(field.name).column for field in tracked]
    columns += ["history_date", "history_change_reason", "history_type"]
    columns.append(meta.get_field("history_user").column)
    relation = hasattr(history, "history_relation")
    if relation:
        columns.append(meta.get_field("history_relation").column)

    def history_row(row):
        user = getattr(
            row, "_history_user", default_user or history.get_default_history_user(row)
        )
        line = [value(row) for value in values]
        line.append(getattr(row, "_history_date", timezone.now()))
        line.append(get_change_reason_from_object(row) or default_reason)
        line += [history_type, user.pk if user is not None else None]
        return [*line, row.pk] if relation else line

    _copy(meta.db_table, columns, map(history_row, rows))


def rows_create(rows: Sequence[models.Model], model: type[models.Model]) -> list:
    """``bulk_create_with_history(rows, model)`` by COPY, in the caller's
    transaction: the rows get their primary keys from the table's sequence (one
    query), then the rows and their history rows are copied in. Returns the rows."""
    rows = list(rows)
    if not rows:
        return rows
    if connection.vendor != "postgresql":
        return bulk_create_with_history(rows, model)
    meta = model._meta
    fields = meta.concrete_fields
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for row in rows:
                field.pre_save(row, True)
    unnumbered = [row for row in rows if row.pk is None]
    with connection.cursor() as cursor:
        # One query for all the keys; generate_series(1, 0) is no row.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
            "FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(unnumbered)],
        )
        for row, (pk,) in zip(unnumbered, sorted(cursor.fetchall()), strict=True):
            row.pk = pk
    values = [_value_of(field) for field in fields]
    _copy(
        meta.db_table,
        [field.column for field in fields],
        ([value(row) for value in values] for row in rows),
    )
    for row in rows:
        row._state.adding, row._state.db = False, connection.alias
    history_copy(rows, history_type="+", default_reason=None)
    return rows


@contextmanager
def server_side_binding():
    """Within the block, new cursors of this connection send their parameters
    apart from the SQL (psycopg's server-side binding) instead of quoting them
    into it in Python: for bulk writes of thousands of rows (``bulk_create`` sends
    a column of values as one array) that quoting costs more than the write."""
    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = connection.connection
    previous = raw.cursor_factory
    raw.cursor_factory = ServerBindingCursor
    try:
        yield
    finally:
        raw.cursor_factory = previous
