"""A covering b-tree for the FHIR Patient search's keyset order.

``Patient?name=`` pages through matches in id order. For a common name the
planner walks the patients in id order and keeps the matching ones until the
page is full; with the name columns and the status in the index (``INCLUDE``)
that walk is an index-only scan that never reads the table (a rare name goes
through the trigram index of registration's 0004 instead). Measured on
1,000,000 patients: tests/bench/test_bench_fhir_patient_search.py.
"""

from django.db import migrations, models

INDEX_NAME = "patient_fhir_id_names"
COVERED = ["family_name", "given_name", "preferred_name", "status"]


def covering_index() -> models.Index:
    # ``include`` needs PostgreSQL; elsewhere Django makes a plain index on id.
    return models.Index(fields=["id"], include=COVERED, name=INDEX_NAME)


def create_index(apps, schema_editor):
    patient = apps.get_model("registration", "Patient")
    if not schema_editor.connection.introspection.get_constraints(
        schema_editor.connection.cursor(), patient._meta.db_table
    ).get(INDEX_NAME):
        schema_editor.add_index(patient, covering_index())


def drop_index(apps, schema_editor):
    patient = apps.get_model("registration", "Patient")
    schema_editor.remove_index(patient, covering_index())


class Migration(migrations.Migration):
    dependencies = [
        ("fhir", "0001_initial"),
        ("registration", "0008_preferred_language_iso_639_1"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
