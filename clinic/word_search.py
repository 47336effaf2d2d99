"""How a list's search box matches: every word the user typed, anywhere it may be."""

from collections.abc import Callable

from django.db.models import Q, QuerySet


def each_word(rows: QuerySet, query: str, *lookups: str | Callable[[str], Q]):
    """``rows`` where every word of ``query`` matches at least one of ``lookups``:
    a field lookup ("title__icontains") or a function of the word giving a ``Q``
    (``lambda word: patient_mrn_q(mrn=word, path="patient__mrn")``)."""
    for word in query.split():
        match = Q()
        for lookup in lookups:
            match |= lookup(word) if callable(lookup) else Q(**{lookup: word})
        rows = rows.filter(match)
    return rows
