"""pg_trgm (patient search, duplicate detection), btree_gist (exclusion constraints
of later apps) and the MRN sequence. The extension operations do nothing on SQLite."""

from django.contrib.postgres.operations import BtreeGistExtension, TrigramExtension
from django.db import migrations

MRN_SEQUENCE = "registration_mrn_seq"


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE SEQUENCE IF NOT EXISTS {MRN_SEQUENCE} START WITH 1000000 MINVALUE 1000000"
    )


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP SEQUENCE IF EXISTS {MRN_SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("registration", "0001_initial")]

    operations = [
        TrigramExtension(),
        BtreeGistExtension(),
        migrations.RunPython(create_sequence, drop_sequence),
    ]
