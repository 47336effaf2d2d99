"""Shared fixtures: real PostgreSQL (pytest-django's test database on the server
``make test`` starts) and real Redis, one Redis database per xdist worker.

As in production, the test databases are created, migrated and dropped by the
tables' owner (``MIGRATE_DATABASE_URL``) and the tests connect as the app's role
(``DATABASE_URL``), which owns nothing."""

import os
import subprocess
import sys
import uuid
from datetime import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.conf import settings
from django.db import connection

from clinic import permissions
from clinic.db_guards import OWNER_KEYS, connected_as_owner, reconnect_as
from tests.clinic.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent


def _worker_number() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker[2:]) if worker.startswith("gw") else 0


def _redis_url_for_worker() -> str:
    url = urlparse(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunparse(url._replace(path=f"/{_worker_number() + 1}"))


_APP_CREDENTIALS: dict = {}


def _connect_default_with(credentials: dict) -> None:
    from django.db import connections

    reconnect_as(connections["default"], credentials)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test databases are created and migrated by the tables' owner."""
    if settings.DATABASE_OWNER:
        db = settings.DATABASES["default"]
        _APP_CREDENTIALS.update({key: db.get(key, "") for key in OWNER_KEYS})
        owner = settings.DATABASE_OWNER
        _connect_default_with({key: owner.get(key, "") for key in OWNER_KEYS})


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Then the tests connect as the app's role; the owner drops the databases."""
    if not _APP_CREDENTIALS:
        yield
        return
    with django_db_blocker.unblock():
        _connect_default_with(_APP_CREDENTIALS)
    yield
    owner = settings.DATABASE_OWNER
    with django_db_blocker.unblock():
        _connect_default_with({key: owner.get(key, "") for key in OWNER_KEYS})


@pytest.fixture(scope="session", autouse=True)
def _flush_as_owner():
    """A transactional test ends by emptying every table (``flush``: TRUNCATE), which
    the app's role may not do and the append-only tables' triggers refuse: in the
    test databases the owner (a superuser here) does it with triggers off. The
    benchmarks run as the owner already (``test.sh --bench``): the same, on the
    connection they have."""
    from django.core.management.commands import flush
    from django.db import connections

    original = flush.Command.handle

    def handle(self, **options):
        alias = options.get("database", "default")
        if not settings.DATABASE_OWNER:
            if connections[alias].vendor == "postgresql":
                with connections[alias].cursor() as cursor:
                    cursor.execute("SET session_replication_role = replica")
            try:
                return original(self, **options)
            finally:
                if connections[alias].vendor == "postgresql":
                    with connections[alias].cursor() as cursor:
                        cursor.execute("SET session_replication_role = DEFAULT")
        with connected_as_owner(alias) as owner:
            with owner.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
            return original(self, **options)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture
def owner_connection(db):
    """A second connection to the test database as the tables' owner (a superuser
    in `make test`), autocommit: what someone holding the owner's password could
    do, beyond the app. It sees only committed rows."""
    import psycopg

    db_settings = connection.settings_dict
    owner = settings.DATABASE_OWNER or db_settings
    with psycopg.connect(
        host=owner["HOST"],
        port=owner["PORT"],
        user=owner["USER"],
        password=owner.get("PASSWORD") or None,
        dbname=db_settings["NAME"],
        autocommit=True,
    ) as conn:
        yield conn


@pytest.fixture(autouse=True)
def _access_log_anchor_file(settings, tmp_path):
    """Each test anchors the access log's head in a file of its own."""
    settings.ACCESS_LOG_ANCHOR_FILE = tmp_path / "access_log_anchor.log"


@pytest.fixture(scope="session", autouse=True)
def _isolated_redis():
    """Each xdist worker uses its own Redis database, emptied at start: its queues
    and Django's cache (so another worker's ``cache.clear()`` cannot empty this
    one's counters and cached choices in the middle of a test)."""
    if settings.JOBS_INLINE:
        yield None
        return
    from django.test import override_settings

    url = _redis_url_for_worker()
    for config in settings.RQ_QUEUES.values():
        config["URL"] = url
    cache = {**settings.CACHES["default"], "LOCATION": url}
    own_cache = override_settings(CACHES={**settings.CACHES, "default": cache})
    own_cache.enable()  # Django's setting_changed signal rebuilds the caches
    import django_rq

    try:
        django_rq.get_connection("default").flushdb()
    except Exception as exc:  # noqa: BLE001
        pytest.exit(
            f"Redis at {url} does not answer ({exc}); run the suite with make test"
        )
    yield url
    own_cache.disable()


@pytest.fixture(autouse=True)
def _job_arguments_are_ids(monkeypatch):
    """Every job that reaches Redis carries ids only: no patient data in Redis."""
    from rq.queue import Queue

    from clinic.queueing import check_job_args

    original = Queue.create_job

    def create_job(self, func, args=None, kwargs=None, *rest, **options):
        check_job_args(tuple(args or ()))
        assert not kwargs, f"job keyword arguments would sit in Redis: {kwargs}"
        return original(self, func, args, kwargs, *rest, **options)

    monkeypatch.setattr(Queue, "create_job", create_job)


FILE_STORAGES = {"default": "media", "exports": "exports"}


def _use_file_storages(settings, tmp_path, *, backend: str) -> dict[str, str]:
    """Point this test's storages at its own files; the environment that gives a
    subprocess (a worker, an app host) the same ones."""
    storages = dict(settings.STORAGES)
    if backend == "s3":
        prefix = f"test-{uuid.uuid4().hex[:16]}"
        for name, folder in FILE_STORAGES.items():
            options = {**storages[name]["OPTIONS"], "location": f"{prefix}/{folder}"}
            storages[name] = {**storages[name], "OPTIONS": options}
        environment = {"STORAGE_BACKEND": "s3", "AWS_S3_KEY_PREFIX": prefix}
    else:
        for name, folder in FILE_STORAGES.items():
            storages[name] = {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": tmp_path / folder},
            }
        environment = {
            "STORAGE_BACKEND": "local",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "EXPORT_ROOT": str(tmp_path / "exports"),
        }
    settings.STORAGE_BACKEND = backend
    settings.STORAGES = storages
    return environment


@pytest.fixture(autouse=True)
def file_storage_env(settings, tmp_path) -> dict[str, str]:
    """Each test keeps its files apart: under its own prefix in the test bucket
    (``make test`` runs the S3 path, on moto) or in its own folders."""
    return _use_file_storages(settings, tmp_path, backend=settings.STORAGE_BACKEND)


@pytest.fixture
def local_file_storages(settings, tmp_path, file_storage_env) -> dict[str, str]:
    """The embedded default's storages: folders (here under tmp_path)."""
    return _use_file_storages(settings, tmp_path, backend="local")


@pytest.fixture
def s3_file_storages(settings, file_storage_env) -> dict[str, str]:
    """The production storages: the test bucket on the S3 server make test runs."""
    if not os.environ.get("AWS_S3_ENDPOINT_URL"):
        pytest.skip("needs the S3 server scripts/test.sh starts (make test)")
    if settings.STORAGE_BACKEND != "s3":
        pytest.skip("needs STORAGE_BACKEND=s3 (scripts/test.sh sets it)")
    return file_storage_env


@pytest.fixture
def redis_url(_isolated_redis):
    if _isolated_redis is None:
        pytest.skip("needs REDIS_URL (run with make test)")
    return _isolated_redis


@pytest.fixture
def run_rq_worker(redis_url, file_storage_env):
    """Run a real ``rqworker --burst`` process against this test's database."""

    def run(*queues: str) -> subprocess.CompletedProcess:
        db = connection.settings_dict
        database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        env = {
            **os.environ,
            **file_storage_env,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
        }
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "rqworker",
                *(queues or ["default"]),
                "--burst",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result

    return run


@pytest.fixture
def make_user(db):
    def make(role: str | None = None, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def role_users(make_user) -> dict[str, object]:
    return {role: make_user(role) for role in permissions.ROLES}


@pytest.fixture
def admin_user(make_user):
    return make_user(permissions.ADMINISTRATOR, username="ada")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture(autouse=True)
def _two_factor_required_only_where_a_test_asks(settings):
    """Tests log in as administrators and billers with a password alone (or
    ``force_login``); tests of two-factor log-in set ``OTP_REQUIRED_ROLES``
    themselves. Production's default is checked in tests/clinic/test_two_factor.py."""
    settings.OTP_REQUIRED_ROLES = []


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clinic_midday():
    """The clinic's clock at 11:00 today, ticking on (time-machine; the database's
    own clock is never asked). For a test whose visit is "now, today": visits are
    checked in, roomed and completed on their own clinic day, so a test run just
    after the clinic's midnight would otherwise build yesterday's visit."""
    import time_machine
    from django.utils import timezone

    from clinic.clock import at_local

    moment = at_local(timezone.localdate(), time(11, 0))
    with time_machine.travel(moment, tick=True):
        yield moment
