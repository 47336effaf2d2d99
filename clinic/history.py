"""Writing many rows of a tracked model at once without losing their history.

``QuerySet.update()`` and ``bulk_update()`` skip history, so the code never calls
them (a test scans for it). A loop of ``save()`` calls keeps history but costs a
round trip and an ORM pass per row, which hot paths (the SMS sender, 835 posting)
cannot afford. ``rows_save`` writes the given columns of many rows in one batched
UPDATE (psycopg pipelines ``executemany``) and their history rows in one INSERT,
with each row's own ``_change_reason``.
"""

from collections.abc import Iterable, Sequence

from django.db import connection, models


def rows_save(
    rows: Iterable[models.Model], fields: Sequence[str], *, default_user=None
) -> list[models.Model]:
    """Save ``fields`` of every row (all of one model) and write a history row for
    each, in the caller's transaction. Returns the rows saved (each once)."""
    unique = list({id(row): row for row in rows}.values())
    if not unique:
        return unique
    model = type(unique[0])
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    params = [
        [
            field.get_db_prep_save(getattr(row, field.attname), connection)
            for field in columns
        ]
        + [row.pk]
        for row in unique
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    model.history.bulk_history_create(
        unique, batch_size=2000, update=True, default_user=default_user
    )
    return unique
