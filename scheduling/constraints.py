"""Database constraints that exist only on PostgreSQL.

The embedded default runs on SQLite, which has no exclusion constraints; there the
services' own checks are all there is, and the suite (on PostgreSQL) tests the real
thing.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    DateTimeRangeField,
    RangeBoundary,
    RangeOperators,
)
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Func


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def half_open_range(start: str, end: str) -> TsTzRange:
    """``[start, end)``: a visit ending at 10:00 does not overlap one starting then."""
    return TsTzRange(start, end, RangeBoundary())


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint that is left out on databases other than PostgreSQL."""

    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        # Services check overlaps themselves (on every database) and turn a
        # violation at insert time into SlotTaken; model validation stays out.
        return None


def no_overlap(*, name: str, column: str, condition) -> PostgresExclusionConstraint:
    """No two rows (meeting ``condition``) with the same ``column`` whose
    ``[start, end)`` overlap."""
    return PostgresExclusionConstraint(
        name=name,
        expressions=[
            (half_open_range("start", "end"), RangeOperators.OVERLAPS),
            (column, RangeOperators.EQUAL),
        ],
        condition=condition,
    )
