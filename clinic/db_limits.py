"""How long one SQL statement may run, and what a page says when one ran too long.

Every PostgreSQL connection starts with ``statement_timeout`` =
``DB_STATEMENT_TIMEOUT_MS`` (settings), so a slow page gives its pooled connection
back instead of holding it. Work that legitimately runs long (the report exports on
the ``reports`` queue) raises the limit for its own session with
``statement_timeout``; the pool's reset puts it back whatever happens.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connections
from django.shortcuts import render
from django.utils.translation import gettext as _

TOO_SLOW = _(
    "This page asked the database for more than it could answer in time, and was "
    "stopped so that others can work. Narrow the search or the dates and try "
    "again; for a large report, export it instead."
)


@contextmanager
def statement_timeout(milliseconds: int, *, using: str = "default") -> Iterator[None]:
    """Within the block, statements of this connection may run ``milliseconds``
    (0: no limit); afterwards the connection's own limit holds again."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, false)",
            [f"{int(milliseconds)}ms"],
        )
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")
        except DatabaseError:
            # The connection broke meanwhile: a new one starts with the default.
            pass


def statement_cancelled(exception: BaseException) -> bool:
    """True for a statement PostgreSQL cancelled for running too long."""
    cause = exception.__cause__
    return (
        isinstance(exception, DatabaseError)
        and getattr(cause, "sqlstate", None) == "57014"  # query_canceled
    )


class StatementTimeoutMiddleware:
    """A page whose query ran past the statement timeout answers 503 with a
    sentence saying so, not a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not statement_cancelled(exception):
            return None
        response = render(request, "too_slow.html", {"message": TOO_SLOW}, status=503)
        response["Retry-After"] = "30"
        return response
