"""The audit trail the app cannot rewrite (issue #15, F8).

The suite connects as the app's role, which owns nothing; the tables' owner (a
superuser in `make test`) plays whoever holds more than the app. What the app's role
cannot do is refused by PostgreSQL; what the owner can do anyway is caught by the
access log's keyed chain and by its head anchored outside the database.
"""

import hashlib
import hmac
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from clinic.access_log_anchor import access_log_anchor_write
from clinic.db_guards import append_only_tables
from clinic.models import AccessLog
from clinic.services import access_log_record
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import LocationFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" or not settings.DATABASE_OWNER,
    reason="needs PostgreSQL with two roles (make test)",
)


def _look(user, patient, what="chart"):
    return access_log_record(
        user=user, action=AccessLog.Action.VIEW, patient=patient, obj=patient, what=what
    )


def _refused(statement: str, match: str) -> None:
    with (
        pytest.raises(DatabaseError, match=match),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


def _verify() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_access_log", stdout=out, stderr=err)
    except SystemExit as exit_info:
        return exit_info.code, err.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
def test_the_suite_runs_as_a_role_that_owns_nothing():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, r.rolsuper, r.rolcreatedb, r.rolcreaterole, "
            "r.rolbypassrls, (SELECT count(*) FROM pg_class c "
            "WHERE c.relowner = r.oid) FROM pg_roles r WHERE r.rolname = current_user"
        )
        user, *powers, owned = cursor.fetchone()
    assert user == settings.DATABASE_APP_ROLE
    assert powers == [False, False, False, False]
    assert owned == 0


@pytest.mark.django_db
def test_the_app_may_read_and_insert_the_log_and_history_tables_and_nothing_more():
    role = settings.DATABASE_APP_ROLE
    append_only = set(append_only_tables())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, "
            + ", ".join(
                f"has_table_privilege(%s, c.oid, '{p}')"
                for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
            )
            + ", has_table_privilege(%s, c.oid, 'TRIGGER')"
            " FROM pg_class c WHERE c.relkind = 'r'"
            " AND c.relnamespace = current_schema()::regnamespace",
            [role] * 6,
        )
        privileges = {name: tuple(rest) for name, *rest in cursor.fetchall()}
    assert append_only <= privileges.keys()
    for table, (select, insert, update, delete, truncate, trigger) in sorted(
        privileges.items()
    ):
        assert (truncate, trigger) == (False, False), table
        if table in append_only:
            assert (select, insert, update, delete) == (True, True, False, False), table
        elif table == "django_migrations":
            assert (select, insert, update, delete) == (True, False, False, False)
        else:
            assert (select, insert, update, delete) == (True, True, True, True), table


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE clinic_accesslog SET username = 'x'",
        "DELETE FROM clinic_accesslog",
        "TRUNCATE clinic_accesslog",
        "UPDATE scheduling_historicallocation SET name = 'x'",
        "DELETE FROM scheduling_historicallocation",
        "TRUNCATE scheduling_historicallocation",
    ],
)
def test_the_app_cannot_change_the_log_or_history(admin_user, statement):
    _look(admin_user, PatientFactory())
    location = LocationFactory()
    _refused(statement, "permission denied for table")
    assert AccessLog.objects.filter(username="ada").count() == 1
    assert location.history.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("statement", "match"),
    [
        ("ALTER TABLE clinic_accesslog DISABLE TRIGGER ALL", "must be owner"),
        (
            "ALTER TABLE clinic_accesslog DISABLE TRIGGER clinicops_append_only",
            "must be owner",
        ),
        (
            "ALTER TABLE scheduling_historicallocation DISABLE TRIGGER USER",
            "must be owner",
        ),
        (
            "SET session_replication_role = replica",
            'permission denied to set parameter "session_replication_role"',
        ),
        ("DROP TRIGGER clinicops_append_only ON clinic_accesslog", "must be owner"),
        (
            "CREATE OR REPLACE FUNCTION clinicops_refuse_change() RETURNS trigger "
            "AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
            "permission denied for schema",
        ),
    ],
)
def test_the_app_cannot_switch_the_guards_off(statement, match):
    _refused(statement, match)


@pytest.mark.django_db
def test_the_app_cannot_grant_itself_more(admin_user):
    _look(admin_user, PatientFactory())
    with connection.cursor() as cursor:
        # Not the owner: PostgreSQL grants nothing (a warning, not an error).
        cursor.execute(f"GRANT ALL ON clinic_accesslog TO {settings.DATABASE_APP_ROLE}")
    _refused("UPDATE clinic_accesslog SET what = 'x'", "permission denied for table")


@pytest.mark.django_db(transaction=True)
def test_the_owner_too_is_refused_update_delete_and_truncate_by_the_triggers(
    admin_user, owner_connection
):
    _look(admin_user, PatientFactory())
    for statement in (
        "UPDATE clinic_accesslog SET what = 'x'",
        "DELETE FROM clinic_accesslog",
        "TRUNCATE clinic_accesslog",
    ):
        with pytest.raises(Exception, match="clinic_accesslog is append-only"):
            owner_connection.execute(statement)
    assert AccessLog.objects.count() == 1


@pytest.mark.django_db
def test_a_table_made_later_is_only_readable_and_appendable_until_migrate(
    owner_connection,
):
    role = settings.DATABASE_APP_ROLE
    owner_connection.execute("CREATE TABLE clinicops_later (id serial PRIMARY KEY)")
    try:
        granted = owner_connection.execute(
            "SELECT has_table_privilege(%s, 'clinicops_later', 'SELECT'), "
            "has_table_privilege(%s, 'clinicops_later', 'INSERT'), "
            "has_table_privilege(%s, 'clinicops_later', 'UPDATE'), "
            "has_table_privilege(%s, 'clinicops_later', 'DELETE'), "
            "has_sequence_privilege(%s, 'clinicops_later_id_seq', 'USAGE')",
            [role] * 5,
        ).fetchone()
    finally:
        owner_connection.execute("DROP TABLE clinicops_later")
    assert granted == (True, True, False, False, True)


def _sha256_rewrite(owner_connection, rows, *, start: int, what: str, key=None):
    """Rewrite row ``start`` and re-chain it and every later row, as someone with
    the owner's password would: triggers off, hashes recomputed (plain SHA-256, the
    old scheme, or an HMAC under a key they guessed)."""
    owner_connection.execute("SET session_replication_role = replica")
    prev = rows[start - 1].row_hash if start else rows[0].prev_hash
    for index, row in enumerate(rows):
        if index < start:
            continue
        row.refresh_from_db()
        if index == start:
            row.what = what
        row.prev_hash = prev
        content = row.content_for_hash().encode()
        if key is None:
            row.row_hash = hashlib.sha256(content).hexdigest()
        else:
            row.row_hash = hmac.new(key, content, hashlib.sha256).hexdigest()
        owner_connection.execute(
            "UPDATE clinic_accesslog SET what = %s, prev_hash = %s, row_hash = %s "
            "WHERE id = %s",
            [row.what, row.prev_hash, row.row_hash, row.pk],
        )
        prev = row.row_hash
    owner_connection.execute("SET session_replication_role = DEFAULT")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("key", [None, b"a-guessed-key"], ids=["sha256", "wrong-key"])
def test_a_rewritten_row_with_its_chain_recomputed_fails_verify(
    admin_user, owner_connection, key
):
    patient = PatientFactory()
    rows = [_look(admin_user, patient) for _ in range(5)]
    assert _verify()[0] == 0
    _sha256_rewrite(owner_connection, rows, start=2, what="nothing to see", key=key)
    code, message = _verify()
    assert code == 1
    assert f"BROKEN: access log row {rows[2].pk} " in message


@pytest.mark.django_db(transaction=True)
def test_the_chain_is_keyed_outside_the_database(admin_user, settings):
    patient = PatientFactory()
    rows = [_look(admin_user, patient) for _ in range(3)]
    assert _verify()[0] == 0
    settings.ACCESS_LOG_HMAC_KEY = "another-key"
    code, message = _verify()
    assert code == 1
    assert f"BROKEN: access log row {rows[0].pk} " in message


@pytest.mark.django_db(transaction=True)
def test_a_deleted_tail_is_caught_by_the_anchor_file(admin_user, owner_connection):
    patient = PatientFactory()
    rows = [_look(admin_user, patient) for _ in range(5)]
    assert access_log_anchor_write(now=timezone.now()) == 1
    assert access_log_anchor_write(now=timezone.now()) == 0  # the head did not move
    assert _verify() == (0, "OK: 5 access log rows, hash chain intact.\n")

    owner_connection.execute("SET session_replication_role = replica")
    owner_connection.execute(
        "DELETE FROM clinic_accesslog WHERE id >= %s", [rows[3].pk]
    )
    owner_connection.execute("SET session_replication_role = DEFAULT")
    assert AccessLog.objects.count() == 3  # what is left still chains
    code, message = _verify()
    assert code == 1
    assert message.startswith(
        f"BROKEN: row {rows[4].pk}, the log's last row at "
    ) and message.endswith("is gone: rows were deleted from the log.\n")


@pytest.mark.django_db(transaction=True)
def test_a_truncated_log_is_caught_by_the_anchor_file(admin_user, owner_connection):
    patient = PatientFactory()
    rows = [_look(admin_user, patient) for _ in range(3)]
    access_log_anchor_write(now=timezone.now())
    owner_connection.execute("SET session_replication_role = replica")
    owner_connection.execute("TRUNCATE clinic_accesslog")
    owner_connection.execute("SET session_replication_role = DEFAULT")
    code, message = _verify()
    assert code == 1
    assert f"BROKEN: row {rows[2].pk}, the log's last row at" in message


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_anchors_each_new_head_and_a_forged_line_is_refused(
    admin_user, settings
):
    from clinic.dispatch import dispatch_due

    patient = PatientFactory()
    first = _look(admin_user, patient)
    assert dispatch_due()["clinic.sweepers.access_log_anchor"] == 1
    second = _look(admin_user, patient)
    assert dispatch_due()["clinic.sweepers.access_log_anchor"] == 1
    assert dispatch_due()["clinic.sweepers.access_log_anchor"] == 0
    lines = settings.ACCESS_LOG_ANCHOR_FILE.read_text().splitlines()
    assert [line.split()[1:3] for line in lines] == [
        [f"id={first.pk}", f"hash={first.row_hash}"],
        [f"id={second.pk}", f"hash={second.row_hash}"],
    ]
    assert _verify()[0] == 0

    # A line claiming a later head, written without the key, is not an anchor.
    with settings.ACCESS_LOG_ANCHOR_FILE.open("a") as file:
        file.write(f"2030-01-01T00:00:00+00:00 id={second.pk + 9} hash=x mac=y\n")
    code, message = _verify()
    assert code == 1
    assert "line 3 of the anchor file" in message and "is not an anchor" in message
