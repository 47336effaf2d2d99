"""B-tree on (lower(family_name), lower(given_name)) for the patient search.

``registration.selectors.patient_search`` first looks for patients whose family
and given names start with the first two typed fragments ("smi jo"): a range of
this index, with the given-name prefix checked on the index entries, which stays
cheap however common the name (the trigram GIN index of 0004 reads every match
before it can stop). ``text_pattern_ops`` lets ``LIKE 'smi%'`` use the range
whatever the database collation. PostgreSQL only, like 0004.
"""

from django.db import migrations

INDEX_NAME = "patient_name_prefix"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("registration", "Patient")._meta.db_table
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON {table} "
        "(LOWER(family_name) text_pattern_ops, LOWER(given_name) text_pattern_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("registration", "0004_patient_search_index")]

    operations = [migrations.RunPython(create_index, drop_index)]
