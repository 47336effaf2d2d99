"""Database rules that several apps' models state alike."""

from functools import reduce
from operator import or_

from django.db import models
from django.db.models import F, Q


def in_order(
    first: str,
    then: str,
    *,
    name: str,
    or_equal: bool = False,
    unless_empty: tuple[str, ...] = (),
) -> models.CheckConstraint:
    """``then`` comes after ``first``: a span's end after its start, a band's top
    above its bottom. ``or_equal`` lets the two be equal (a coverage of one day);
    the rule holds while a field named in ``unless_empty`` is empty (an open end)."""
    conditions = [Q(**{f"{field}__isnull": True}) for field in unless_empty]
    compare = "gte" if or_equal else "gt"
    conditions.append(Q(**{f"{then}__{compare}": F(first)}))
    return models.CheckConstraint(condition=reduce(or_, conditions), name=name)
