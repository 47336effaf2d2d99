"""Database-side guarantees that code alone cannot give.

On PostgreSQL, the access log and every simple-history table refuse UPDATE and DELETE
(a trigger), so evidence cannot be rewritten by the application or by a slip in SQL.
"""

from django.apps import apps
from django.db import connections

REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION clinicops_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ClinicOps: % is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER_NAME = "clinicops_append_only"


def append_only_tables() -> list[str]:
    """The access log and every historical table of every installed app."""
    from clinic.models import AccessLog

    tables = [AccessLog._meta.db_table]
    for model in apps.get_models():
        if hasattr(model, "instance_type"):  # a simple-history historical model
            tables.append(model._meta.db_table)
    return sorted(set(tables))


def install_append_only_triggers(using: str = "default") -> list[str]:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    tables = append_only_tables()
    existing_tables = set(connection.introspection.table_names())
    done = []
    with connection.cursor() as cursor:
        cursor.execute(REFUSE_FUNCTION)
        for table in tables:
            if table not in existing_tables:
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRIGGER_NAME} BEFORE UPDATE OR DELETE "
                f"ON {quoted} FOR EACH ROW EXECUTE FUNCTION clinicops_refuse_change()"
            )
            done.append(table)
    return done


def after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from clinic.permissions import sync_role_permissions

    # Apps after this one in INSTALLED_APPS get their permissions later in the same
    # post_migrate round; make them now so every role gets all of its own.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_role_permissions(group_model=Group, permission_model=Permission)
    install_append_only_triggers(using=using)
