"""The FHIR Patient id walk's covering index, with the restriction.

The API withholds restricted patients (``fhir.registry``), so every Patient
search also asks ``restriction = ''``; without that column in the index the
common-name walk of 0002 would read the table for each patient. Same index,
one more included column.
"""

from django.db import migrations, models

INDEX_NAME = "patient_fhir_id_walk"
OLD_INDEX_NAME = "patient_fhir_id_names"
COVERED = ["family_name", "given_name", "preferred_name", "status", "restriction"]


def covering_index(name: str = INDEX_NAME, covered=COVERED) -> models.Index:
    # ``include`` needs PostgreSQL; elsewhere Django makes a plain index on id.
    return models.Index(fields=["id"], include=covered, name=name)


def _indexes(schema_editor, patient) -> dict:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, patient._meta.db_table)


def create_index(apps, schema_editor):
    patient = apps.get_model("registration", "Patient")
    found = _indexes(schema_editor, patient)
    if not found.get(INDEX_NAME):
        schema_editor.add_index(patient, covering_index())
    if found.get(OLD_INDEX_NAME):
        schema_editor.remove_index(patient, covering_index(OLD_INDEX_NAME, COVERED[:4]))


def drop_index(apps, schema_editor):
    patient = apps.get_model("registration", "Patient")
    schema_editor.add_index(patient, covering_index(OLD_INDEX_NAME, COVERED[:4]))
    schema_editor.remove_index(patient, covering_index())


class Migration(migrations.Migration):
    dependencies = [
        ("fhir", "0002_patient_id_walk_index"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
