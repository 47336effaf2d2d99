"""Report rows as CSV text, streamed in chunks, with a SHA-256 over the rows in its
last line (``HASH_LINE``): Python's csv module through ``clinic.csvfile``, or
PostgreSQL's COPY when the report can write its rows in SQL."""

import hashlib
import io
from collections.abc import Callable, Iterator
from itertools import islice

from django.db import connection, connections
from django.db.models import QuerySet

from clinic.csvfile import csv_copy_sql, csv_writer
from clinic.reports.base import Filters, Report

CSV_CHUNK_ROWS = 2000
HASH_LINE = "# SHA-256 of the rows above: "


class RowHasher:
    """Serialises rows as CSV text (through the one CSV path, ``csv_writer``) and
    hashes exactly that text."""

    def __init__(self):
        self.buffer = io.StringIO()
        self.writer = csv_writer(self.buffer, lineterminator="\n")
        self.sha = hashlib.sha256()

    def add(self, cells: list[str]) -> None:
        self.writer.writerow(cells)

    def add_many(self, rows) -> None:
        self.writer.writerows(rows)

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        self.sha.update(text.encode())
        return text

    def hexdigest(self) -> str:
        return self.sha.hexdigest()


def csv_chunks(
    report: Report, filters: Filters, progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The CSV file (UTF-8) in chunks: header, rows, then the hash line. At most
    CSV_CHUNK_ROWS rows are in memory at once, whatever the size of the report."""
    hasher = RowHasher()
    hasher.add([str(column.header) for column in report.columns])
    yield hasher.take().encode()
    text_rows = report.text_rows(filters)
    if text_rows is not None and connection.vendor == "postgresql":
        chunks = _copied_chunks(
            text_rows,
            columns=len(report.columns),
            own_connection=progress is not None,
        )
    else:
        chunks = _written_chunks(hasher, report.iter_cells(filters))
    count = 0
    for data, rows in chunks:
        hasher.sha.update(data)
        count += rows
        yield data
        if progress:
            progress(count)
    if progress and count == 0:
        progress(count)
    yield f"{HASH_LINE}{hasher.hexdigest()}\n".encode()


def csv_lines(
    report: Report, filters: Filters, progress: Callable[[int], None] | None = None
) -> Iterator[str]:
    """The same chunks as text."""
    for chunk in csv_chunks(report, filters, progress):
        yield chunk.decode()


def _written_chunks(hasher: RowHasher, cells) -> Iterator[tuple[bytes, int]]:
    """Rows written by Python's csv module, CSV_CHUNK_ROWS at a time."""
    cells = iter(cells)
    while batch := list(islice(cells, CSV_CHUNK_ROWS)):
        hasher.writer.writerows(batch)
        text = hasher.buffer.getvalue()
        hasher.buffer.seek(0)
        hasher.buffer.truncate()
        yield text.encode(), len(batch)


def _copied_chunks(
    text_rows: QuerySet, *, columns: int, own_connection: bool
) -> Iterator[tuple[bytes, int]]:
    """Rows written by PostgreSQL (COPY ... TO STDOUT, CSV), streamed as they come:
    no transaction, no cursor to hold, and the same text as Python's csv module
    through ``csv_writer`` (empty cells are NULL in ``text_rows``, so neither quotes
    them; ``csv_copy_sql`` neutralises formulas as ``csv_cell`` does).

    A connection runs one command at a time, and a COPY lasts until its last row:
    an export that writes its progress meanwhile copies on a connection of its own.
    """
    import psycopg

    sql, params = text_rows.query.get_compiler(using=text_rows.db).as_sql()
    if own_connection:
        wrapper = connections.create_connection(text_rows.db)
    else:
        wrapper = connections[text_rows.db]
    try:
        with wrapper.cursor() as cursor:
            raw = cursor.cursor
            query = psycopg.ClientCursor(raw.connection).mogrify(sql, params)
            with raw.copy(csv_copy_sql(query, columns=columns)) as copy:
                parts: list = []
                for row in copy:  # one row per message
                    parts.append(row)
                    if len(parts) == CSV_CHUNK_ROWS:
                        yield b"".join(parts), len(parts)
                        parts.clear()
                if parts:
                    yield b"".join(parts), len(parts)
    finally:
        if own_connection:
            wrapper.close()
