"""Search parameters the generic ones of ``clinic.fhir_declaration`` cannot say:
a status whose FHIR codes each stand for several stored values, a code every row
carries (an Observation's category), a date that is the first known of several
fields. Each returns a ``SearchParam`` with its own ``apply``; values reach the
ORM only as lookups, as with the generic ones.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db.models import Q

from clinic.fhir_declaration import ResourceType, SearchParam


def mapped_token(
    name: str,
    field: str,
    *,
    stored: Iterable[str],
    to_code: Callable[[str], str],
    expression: str = "",
) -> SearchParam:
    """A token searched through the mapper's own ``to_code`` (stored value ->
    FHIR code), so search and resource never disagree: ``status=not-done`` finds
    every stored value that maps to it."""
    by_code = defaultdict(list)
    for value in stored:
        by_code[to_code(value)].append(value)

    def apply(rows, modifier, tokens):
        wanted = [value for _system, code in tokens for value in by_code[code]]
        return rows.filter(**{f"{field}__in": wanted})

    codes = ", ".join(sorted(by_code))
    return SearchParam.token(
        name,
        field,
        apply=apply,
        documentation=f"Codes: {codes}.",
        expression=expression,
    )


def status_token(*, stored: Iterable[str], to_code: Callable[[str], str]):
    """``status`` through the mapper's own status function."""
    return mapped_token("status", "status", stored=stored, to_code=to_code)


def patient_param(
    path: str = "patient", name: str = "patient", *, expression: str = ""
) -> SearchParam:
    """``patient`` (or ``subject``): the Patient at the end of an ORM path
    (``expression``: where the resource shows it, e.g. ``Observation.subject``)."""
    return SearchParam.reference(name, path, target="Patient", expression=expression)


def constant_token(name: str, system: str, code: str) -> SearchParam:
    """A token every row carries (``Observation.category`` is ``laboratory``):
    it matches all rows or none."""

    def apply(rows, modifier, tokens):
        hit = any(c == code and s in (None, system) for s, c in tokens)
        return rows if hit else rows.none()

    every = f"Every row: {system}|{code}."
    return SearchParam.token(name, apply=apply, documentation=every)


def absent(name: str, kind: str) -> SearchParam:
    """A parameter of an element one table of a type never fills (a text
    received has no ``category``): it matches none of that table's rows."""
    return SearchParam(name, kind, apply=lambda rows, modifier, values: rows.none())


def first_known_date(
    name: str, expression, *, fields: tuple[str, ...], shown_at: str = ""
) -> SearchParam:
    """A date searched on ``expression`` (e.g. ``Coalesce`` of ``fields``, the
    first one known, as the resource shows it at ``shown_at``), with FHIR's
    prefixes on the half-open range [start, end) the value stands for."""

    def apply(rows, modifier, ranges):
        rows = rows.annotate(fhir_moment=expression)
        return rows.filter(_any_range(ranges))

    return SearchParam.date(name, *fields, apply=apply, expression=shown_at)


def _any_range(ranges) -> Q:
    found = Q(pk__in=[])
    for dates in ranges:
        start, end, prefix = dates.start, dates.end, dates.prefix
        if prefix in ("lt", "eb"):
            found |= Q(fhir_moment__lt=start)
        elif prefix == "le":
            found |= Q(fhir_moment__lt=end)
        elif prefix in ("gt", "sa"):
            found |= Q(fhir_moment__gte=end)
        elif prefix == "ge":
            found |= Q(fhir_moment__gte=start)
        else:
            inside = Q(fhir_moment__gte=start, fhir_moment__lt=end)
            found |= ~inside if prefix == "ne" else inside
    return found


def patient_resource(
    name: str, model, to_fhir, *search: SearchParam, path: str = "patient", **more
) -> ResourceType:
    """A type in the patient compartment whose ``subject`` is the Patient at
    ``path``: searched by ``patient`` (then ``search``), including the patient
    (then ``includes``), access-logged and exported per patient; served from
    ``model``'s default manager unless ``queryset`` says otherwise."""
    more.setdefault("queryset", model._default_manager.all)
    return ResourceType(
        name=name,
        model=model,
        to_fhir=to_fhir,
        patient_path=path,
        search=(patient_param(path, expression=f"{name}.subject"), *search),
        includes=("patient", *more.pop("includes", ())),
        **more,
    )
