"""The opaque ``_cursor`` of a Bundle's ``next`` link: the last row's key, signed.

The key is (sort value, pk) of the last row a page showed; the next page starts
strictly after it in (sort key, pk) order. A type served from several tables
(``ResourceType.parts``) orders by (sort value, table, pk), so the key names the
table too. Signed, so a client cannot forge a key (a changed cursor is a 400),
and bound to its ``_sort``.
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
    part: int = 0  # which table of the type (its index in fhir.tables.tables)

    @classmethod
    def after_row(cls, row, sort: str, sort_field: str, part: int = 0) -> "Cursor":
        value = None if sort_field == "pk" else getattr(row, sort_field)
        return cls(sort=sort, value=value, pk=row.pk, part=part)

    def text(self) -> str:
        value = self.value
        kind = "v"
        if isinstance(value, datetime):
            value, kind = value.isoformat(), "dt"
        elif isinstance(value, date):
            value, kind = value.isoformat(), "d"
        key = [self.sort, kind, value, self.pk] + ([self.part] if self.part else [])
        return signing.dumps(key, salt=SALT, compress=True)

    def beyond(self, field: str, descending: bool) -> Q:
        """Rows after this key in (field, pk) order."""
        after = "lt" if descending else "gt"
        if field == "pk":
            return Q(**{f"pk__{after}": self.pk})
        return Q(**{f"{field}__{after}": self.value}) | Q(
            **{field: self.value, f"pk__{after}": self.pk}
        )

    def beyond_part(self, field: str, descending: bool, part: int) -> Q:
        """Rows of table ``part`` after this key in (field, table, pk) order."""
        if part == self.part:
            return self.beyond(field, descending)
        later = (part > self.part) != descending
        if field == "pk":
            return Q() if later else Q(pk__in=[])
        # A later table's rows may tie on the sort value; an earlier one's not.
        lookup = ("lt" if descending else "gt") + ("e" if later else "")
        return Q(**{f"{field}__{lookup}": self.value})


def cursor_read(text: str, *, sort: str) -> Cursor:
    try:
        saved_sort, kind, value, pk, *part = signing.loads(text, salt=SALT)
        part = part[0] if part else 0
        if kind == "dt":
            value = datetime.fromisoformat(value)
        elif kind == "d":
            value = date.fromisoformat(value)
        if not isinstance(pk, int) or not isinstance(part, int):
            raise ValueError(pk)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise invalid(
            "_cursor is not one this server gave out; follow the Bundle's links.",
            expression="_cursor",
        ) from error
    if saved_sort != sort:
        raise invalid("_cursor belongs to another _sort.", expression="_cursor")
    return Cursor(sort=sort, value=value, pk=pk, part=part)


def merged_page(fetch, parts: int, *, after, sort: str, field: str, descending, count):
    """One keyset page across a type's ``parts`` tables, in (field, table, pk)
    order: ``fetch(part, beyond)`` gives up to ``count + 1`` rows of that table
    after the key (``beyond``: a Q, None on a first page) in (field, pk) order.
    Returns the page as (table, row) pairs and the cursor after its last row
    when more follow."""
    hits = []
    for part in reversed(range(parts)) if descending else range(parts):
        if field == "pk" and len(hits) > count:
            break  # whole tables come in order: a later one adds nothing
        beyond = after.beyond_part(field, descending, part) if after else None
        hits += [(part, row) for row in fetch(part, beyond)]
    if field != "pk":  # by pk the tables came whole, in order
        hits.sort(
            key=lambda hit: (getattr(hit[1], field), hit[0], hit[1].pk),
            reverse=descending,
        )
    following = None
    if len(hits) > count and count:
        part, row = hits[count - 1]
        following = Cursor.after_row(row, sort, field, part)
    return hits[:count], following
