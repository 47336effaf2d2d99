"""The clinic's roles are Django groups; their permissions follow
clinic.permissions.ROLE_PERMISSIONS (re-applied after every migrate)."""

from django.db import migrations

ROLES = ["Front desk", "Nurse", "Clinician", "Billing", "Administrator"]


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from clinic.permissions import sync_role_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    sync_role_permissions(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("clinic", "0001_initial"),
        ("registration", "0001_initial"),
        ("scheduling", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
