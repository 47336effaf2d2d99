"""Trigram GIN index on the exact expression the patient search filters on.

``registration.search.SEARCH_TEXT`` is lower(' ' || family || ' ' || given || ' '
|| preferred); the search filters with ``LIKE '%fragment%'`` (three letters or more)
or ``LIKE '% fr%'`` (two letters, start of a name) on it, which pg_trgm's
gin_trgm_ops serves. An index on the bare columns would not be used (and Django's
icontains compiles to UPPER(col) LIKE, which no plain index serves either).
PostgreSQL only: SQLite has no GIN indexes; its search scans.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Lower

INDEX_NAME = "patient_search_text_trgm"


def _index():
    expression = Lower(
        Concat(
            Value(" "),
            "family_name",
            Value(" "),
            "given_name",
            Value(" "),
            "preferred_name",
        )
    )
    return GinIndex(OpClass(expression, name="gin_trgm_ops"), name=INDEX_NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("registration", "Patient"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("registration", "Patient"), _index())


class Migration(migrations.Migration):
    dependencies = [("registration", "0003_patient_record_insurance_allergies")]

    operations = [migrations.RunPython(create_index, drop_index)]
