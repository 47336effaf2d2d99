from django.db import migrations


def load(apps, schema_editor):
    from diagnostics.catalogue import catalogue_load

    catalogue_load(
        test_model=apps.get_model("diagnostics", "TestDefinition"),
        range_model=apps.get_model("diagnostics", "ReferenceRange"),
        panel_model=apps.get_model("diagnostics", "Panel"),
    )


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
