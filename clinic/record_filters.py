"""The filters every record an auditor reads answers: when, about whom, by whom.

A compliance report's filters (a period ``[start, end)``, a patient, a user name)
reach each app's record selector as ``start``, ``end``, ``patient`` and
``username``. The selector names the fields that carry them for each kind of row;
``filter_record`` applies them one way for all: a filter left empty does not
filter, the end of the period is excluded, and a kind of row that records no user
matches no user name.
"""

from django.db.models import Q, QuerySet


def filter_record(
    rows: QuerySet,
    *,
    at: str,
    start=None,
    end=None,
    patient=None,
    username: str = "",
    patient_field: str = "patient",
    user_fields: tuple[str, ...] = (),
) -> QuerySet:
    """``rows`` whose ``at`` falls in ``[start, end)``, whose ``patient_field`` is
    ``patient`` and that ``username`` made through any of ``user_fields``."""
    if start is not None:
        rows = rows.filter(**{f"{at}__gte": start})
    if end is not None:
        rows = rows.filter(**{f"{at}__lt": end})
    if patient is not None:
        rows = rows.filter(**{patient_field: patient})
    if username:
        if not user_fields:
            return rows.none()
        by_user = Q()
        for field in user_fields:
            by_user |= Q(**{field: username})
        rows = rows.filter(by_user)
    return rows
