"""Writing many rows of a tracked model at once without losing their history.

``QuerySet.update()`` and ``bulk_update()`` skip history, so the code never calls
them (a test scans for it). A loop of ``save()`` calls keeps history but costs a
round trip and an ORM pass per row, which hot paths (the SMS sender, 835 posting)
cannot afford. ``rows_save`` writes the given columns of many rows in one batched
UPDATE (``executemany``, which psycopg pipelines) and their history rows in one
INSERT, with each row's own ``_change_reason``. (One ``UPDATE ... FROM (VALUES
...)`` per 2,000 rows measured no faster on the 835 benchmark: the server's
index upkeep is the cost, not the statement count.)
"""

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import connection, models


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
    model.history.bulk_history_create(
        unique, batch_size=2000, update=True, default_user=default_user
    )
    return unique


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
