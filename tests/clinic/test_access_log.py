"""The PHI access log: one row per look, append-only, hash-chained, verifiable."""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from clinic.models import AccessLog
from clinic.services import (
    GENESIS_HASH,
    access_log_append_patients,
    access_log_entry,
    access_log_first_broken,
    access_log_record,
)
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _log(user, patient, what="chart"):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Tablet"
    )
    request.user = user
    return access_log_record(
        user=user,
        action=AccessLog.Action.VIEW,
        patient=patient,
        obj=patient,
        what=what,
        request=request,
    )


def test_a_row_records_who_saw_which_patient_from_where(admin_user):
    patient = PatientFactory()
    entry = _log(admin_user, patient)
    entry.refresh_from_db()
    assert entry.username == "ada"
    assert entry.patient == patient
    assert (entry.object_type, entry.object_id) == (
        "registration.patient",
        str(patient.pk),
    )
    assert (entry.ip_address, entry.user_agent) == ("10.1.2.3", "Tablet")


def test_rows_chain_each_to_the_one_before(admin_user):
    patient = PatientFactory()
    first, second, third = (_log(admin_user, patient) for _ in range(3))
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.row_hash
    assert third.prev_hash == second.row_hash
    assert len({first.row_hash, second.row_hash, third.row_hash}) == 3


def test_verify_passes_on_an_intact_log(admin_user):
    patient = PatientFactory()
    for _ in range(5):
        _log(admin_user, patient)
    out = StringIO()
    call_command("verify_access_log", stdout=out)
    assert "OK: 5 access log rows" in out.getvalue()


def _tamper(owner_connection, sql, params):
    # What the tables' owner (a superuser in the suite) bent on rewriting evidence
    # would do: switch the triggers off. The app's own role cannot (test_db_roles).
    owner_connection.execute("SET session_replication_role = replica")
    owner_connection.execute(sql, params)
    owner_connection.execute("SET session_replication_role = DEFAULT")


def test_a_bulk_append_chains_every_patient_between_page_views(admin_user):
    patients = PatientFactory.create_batch(5)
    before = _log(admin_user, patients[0])
    entry = access_log_entry(
        user=None,
        username="fhir-client:EHR",
        action=AccessLog.Action.EXPORT,
        obj=before,
        what="bulk export 7: Patient",
    )
    written = access_log_append_patients(entry, iter([p.pk for p in patients]), batch=2)
    after = _log(admin_user, patients[1])
    rows = list(AccessLog.objects.filter(username="fhir-client:EHR").order_by("id"))
    assert written == 5
    assert [row.patient_id for row in rows] == [p.pk for p in patients]
    assert {(row.action, row.what) for row in rows} == {
        ("export", "bulk export 7: Patient")
    }
    assert rows[0].prev_hash == before.row_hash
    assert after.prev_hash == rows[-1].row_hash
    assert access_log_first_broken() is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_verify_names_the_first_row_that_was_tampered_with(
    admin_user, owner_connection
):
    patient = PatientFactory()
    rows = [_log(admin_user, patient) for _ in range(5)]
    _tamper(
        owner_connection,
        "UPDATE clinic_accesslog SET username = 'nobody' WHERE id = %s",
        [rows[2].pk],
    )
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_access_log", stderr=err)
    assert exit_info.value.code == 1
    assert f"access log row {rows[2].pk} " in err.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_verify_notices_a_deleted_row(admin_user, owner_connection):
    patient = PatientFactory()
    rows = [_log(admin_user, patient) for _ in range(4)]
    _tamper(
        owner_connection, "DELETE FROM clinic_accesslog WHERE id = %s", [rows[1].pk]
    )
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("verify_access_log", stderr=err)
    assert f"access log row {rows[2].pk} " in err.getvalue()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE clinic_accesslog SET username = 'x'",
        "DELETE FROM clinic_accesslog",
        "TRUNCATE clinic_accesslog",
    ],
)
def test_the_database_refuses_update_and_delete(admin_user, statement):
    _log(admin_user, PatientFactory())
    with (
        pytest.raises(DatabaseError, match="permission denied for table"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AccessLog.objects.filter(username="ada").count() == 1


def test_the_model_offers_no_update_path(admin_user):
    entry = _log(admin_user, PatientFactory())
    entry.what = "changed"
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent writers"
)
def test_concurrent_writers_keep_one_unbroken_chain(make_user):
    user = make_user("Nurse")
    patient = PatientFactory()
    errors = []

    def write():
        try:
            for _ in range(10):
                _log(user, patient)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AccessLog.objects.count() == 60
    out = StringIO()
    call_command("verify_access_log", stdout=out)
    assert "hash chain intact" in out.getvalue()


def _sha256_chain(rows: list[AccessLog]) -> list[AccessLog]:
    """Rows as the log wrote them before its chain was keyed (plain SHA-256)."""
    import hashlib

    prev = GENESIS_HASH
    for row in rows:
        row.prev_hash = prev
        row.row_hash = hashlib.sha256(row.content_for_hash().encode()).hexdigest()
        row.save(force_insert=True)
        prev = row.row_hash
    return rows


def _old_rows(user, patient, count: int) -> list[AccessLog]:
    from django.utils import timezone

    return _sha256_chain(
        [
            AccessLog(
                created_at=timezone.now(),
                user=user,
                username=user.username,
                patient=patient,
                action="view",
                what=f"look {n}",
            )
            for n in range(count)
        ]
    )


def _migrate_rechain() -> None:
    import importlib

    from django.apps import apps

    from clinic.db_guards import connected_as_owner

    migration = importlib.import_module("clinic.migrations.0006_access_log_hmac_chain")
    with connected_as_owner() as owner, owner.schema_editor() as editor:
        migration.rechain(apps, editor)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles")
def test_the_migration_keys_an_old_intact_chain(admin_user):
    _old_rows(admin_user, PatientFactory(), 5)
    assert call_command_code("verify_access_log") == 1  # SHA-256 is no longer enough
    _migrate_rechain()
    assert call_command_code("verify_access_log") == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles")
def test_the_migration_keys_an_old_chain_only_up_to_its_break(
    admin_user, owner_connection
):
    rows = _old_rows(admin_user, PatientFactory(), 5)
    _tamper(
        owner_connection,
        "UPDATE clinic_accesslog SET what = 'x' WHERE id = %s",
        [rows[2].pk],
    )
    _migrate_rechain()
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("verify_access_log", stderr=err)
    assert f"access log row {rows[2].pk} " in err.getvalue()  # not row 1
    kept = AccessLog.objects.filter(pk__gte=rows[2].pk).order_by("id")
    assert [row.row_hash for row in kept] == [row.row_hash for row in rows[2:]]


def call_command_code(name: str) -> int:
    try:
        call_command(name, stdout=StringIO(), stderr=StringIO())
    except SystemExit as exit_info:
        return exit_info.code
    return 0


def test_production_refuses_to_start_without_the_access_log_key():
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = {k: v for k, v in os.environ.items() if k != "ACCESS_LOG_HMAC_KEY"}
    env.update(
        DATABASE_URL="postgres://clinicops@127.0.0.1:5432/clinicops",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="clinic.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ACCESS_LOG_HMAC_KEY" in result.stderr
