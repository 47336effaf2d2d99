"""Database-side guarantees that code alone cannot give.

On PostgreSQL the app runs as a role that owns nothing (``DATABASE_URL``); the
tables belong to the role that runs ``migrate`` (``MIGRATE_DATABASE_URL``). After
every migrate the owner grants the app's role SELECT, INSERT, UPDATE and DELETE on
ordinary tables, only SELECT and INSERT on the access log and every simple-history
table, SELECT on ``django_migrations`` and USAGE on sequences; tables made later get
SELECT and INSERT by default until the next migrate. Owning nothing, the app's role
cannot TRUNCATE, ``ALTER TABLE ... DISABLE TRIGGER`` or set
``session_replication_role``. Triggers also refuse UPDATE, DELETE and TRUNCATE of
those tables to everyone but a superuser who switches them off, so evidence is not
rewritten by a slip in SQL either. (What a superuser does is caught by the access
log's keyed chain and its anchor outside the database: clinic/access_log_anchor.py.)
"""

import logging
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction

from clinic.models import AccessLog
from clinic.permissions import sync_role_permissions

logger = logging.getLogger(__name__)

REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION clinicops_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ClinicOps: % is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER_NAME = "clinicops_append_only"
TRUNCATE_TRIGGER_NAME = "clinicops_no_truncate"
OWNER_KEYS = ("USER", "PASSWORD", "HOST", "PORT")


def append_only_tables() -> list[str]:
    """The access log and every historical table of every installed app."""
    tables = [AccessLog._meta.db_table]
    for model in apps.get_models():
        if hasattr(model, "instance_type"):  # a simple-history historical model
            tables.append(model._meta.db_table)
    return sorted(set(tables))


@contextmanager
def connected_as_owner(using: str = "default"):
    """Within the block, ``using`` connects as the tables' owner
    (``MIGRATE_DATABASE_URL``) instead of the app's role; the database name stays.
    Nothing changes when no owner is configured."""
    owner = settings.DATABASE_OWNER
    connection = connections[using]
    if not owner or connection.vendor != "postgresql":
        yield connection
        return
    saved = {key: connection.settings_dict.get(key) for key in OWNER_KEYS}
    reconnect_as(connection, {key: owner.get(key, "") for key in OWNER_KEYS})
    try:
        yield connection
    finally:
        reconnect_as(connection, saved)


def reconnect_as(connection, credentials: dict) -> None:
    """The next query of ``connection`` connects with these credentials. A pool
    (settings.DB_POOL) holds connections of the old ones: it is closed too, and
    the next query opens one with the new."""
    connection.close()
    if connection.vendor == "postgresql":
        connection.close_pool()
    connection.settings_dict.update(credentials)


def _owns_tables(cursor) -> bool:
    """True when this session's role owns the access log (or is a superuser)."""
    cursor.execute(
        "SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c "
        "WHERE c.oid = to_regclass('clinic_accesslog')"
    )
    row = cursor.fetchone()
    return row is None or bool(row[0])  # no table yet: whoever creates it owns it


def install_append_only_triggers(using: str = "default") -> list[str]:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    tables = append_only_tables()
    existing_tables = set(connection.introspection.table_names())
    done = []
    with connection.cursor() as cursor:
        if not _owns_tables(cursor):
            logger.warning(
                "Not the tables' owner: triggers and grants left as they are "
                "(run migrate with MIGRATE_DATABASE_URL set)."
            )
            return []
        cursor.execute(REFUSE_FUNCTION)
        for table in tables:
            if table not in existing_tables:
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRIGGER_NAME} BEFORE UPDATE OR DELETE "
                f"ON {quoted} FOR EACH ROW EXECUTE FUNCTION clinicops_refuse_change()"
            )
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRUNCATE_TRIGGER_NAME} BEFORE TRUNCATE "
                f"ON {quoted} FOR EACH STATEMENT "
                "EXECUTE FUNCTION clinicops_refuse_change()"
            )
            done.append(table)
    return done


def grant_app_role(using: str = "default") -> str:
    """Give the app's role (``DATABASE_URL``'s user, when an owner is configured)
    what it may do, and nothing more. Returns the role, or "" when there is none."""
    role = settings.DATABASE_APP_ROLE
    connection = connections[using]
    if not role or connection.vendor != "postgresql":
        return ""
    quote = connection.ops.quote_name
    existing = set(connection.introspection.table_names())
    append_only = [t for t in append_only_tables() if t in existing]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        owner, schema = cursor.fetchone()
        if owner == role or not _owns_tables(cursor):
            return ""
        who, where = quote(role), quote(schema)
        for statement in [
            f"GRANT USAGE ON SCHEMA {where} TO {who}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {who}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} "
            f"TO {who}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {where} FROM {who}",
            f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
            # Made later by the owner outside migrate: readable and appendable only,
            # until the next migrate grants the rest.
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} GRANT SELECT, INSERT "
            f"ON TABLES TO {who}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} GRANT USAGE "
            f"ON SEQUENCES TO {who}",
        ]:
            cursor.execute(statement)
        for table in [*append_only, "django_migrations"]:
            if table in existing:
                cursor.execute(f"REVOKE UPDATE, DELETE ON {quote(table)} FROM {who}")
        if "django_migrations" in existing:
            cursor.execute(f"REVOKE INSERT ON django_migrations FROM {who}")
    return role


def after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # Apps after this one in INSTALLED_APPS get their permissions later in the same
    # post_migrate round; make them now so every role gets all of its own.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_role_permissions(group_model=Group, permission_model=Permission)
    install_append_only_triggers(using=using)
    grant_app_role(using=using)
