"""The opaque ``_cursor`` of a Bundle's ``next`` link: the last row's key, signed.

The key is (sort value, pk) of the last row a page showed; the next page starts
strictly after it in (sort key, pk) order. Signed, so a client cannot forge a
key (a changed cursor is a 400), and bound to its ``_sort``.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core import signing
from django.db.models import Q

from fhir.errors import invalid

SALT = "fhir.paging.cursor"


@dataclass(frozen=True)
class Cursor:
    sort: str
    value: object  # the sort field's value (None when sorting by pk)
    pk: int

    @classmethod
    def after_row(cls, row, sort: str, sort_field: str) -> "Cursor":
        value = None if sort_field == "pk" else getattr(row, sort_field)
        return cls(sort=sort, value=value, pk=row.pk)

    def text(self) -> str:
        value = self.value
        kind = "v"
        if isinstance(value, datetime):
            value, kind = value.isoformat(), "dt"
        elif isinstance(value, date):
            value, kind = value.isoformat(), "d"
        return signing.dumps(
            [self.sort, kind, value, self.pk], salt=SALT, compress=True
        )

    def beyond(self, field: str, descending: bool) -> Q:
        """Rows after this key in (field, pk) order."""
        after = "lt" if descending else "gt"
        if field == "pk":
            return Q(**{f"pk__{after}": self.pk})
        return Q(**{f"{field}__{after}": self.value}) | Q(
            **{field: self.value, f"pk__{after}": self.pk}
        )


def cursor_read(text: str, *, sort: str) -> Cursor:
    try:
        saved_sort, kind, value, pk = signing.loads(text, salt=SALT)
        if kind == "dt":
            value = datetime.fromisoformat(value)
        elif kind == "d":
            value = date.fromisoformat(value)
        if not isinstance(pk, int):
            raise ValueError(pk)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise invalid(
            "_cursor is not one this server gave out; follow the Bundle's links.",
            expression="_cursor",
        ) from error
    if saved_sort != sort:
        raise invalid("_cursor belongs to another _sort.", expression="_cursor")
    return Cursor(sort=sort, value=value, pk=pk)
