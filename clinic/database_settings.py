"""The database settings (PostgreSQL in production, SQLite in the embedded default),
read from the environment by ``clinic/settings.py``: connection pool, statement
timeout, the two roles of production."""

from pathlib import Path

import environ


def _pool_connection_reset(connection) -> None:
    """A connection given back to the pool drops its last user's session state:
    session advisory locks (an unlock skipped by an error) and a raised statement
    timeout (clinic.db_limits)."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_unlock_all()")
        connection.execute("RESET statement_timeout")


def database_settings(
    env: environ.Env, *, embedded: bool, var_dir: Path, database_url: str
) -> dict:
    """DATABASES and the DB_* / DATABASE_* settings, by name."""
    DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", default=3)
    # PostgreSQL only: the longest statement a page may run, and the report exports'.
    DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=30_000)
    DB_EXPORT_STATEMENT_TIMEOUT_MS = env.int(
        "DB_EXPORT_STATEMENT_TIMEOUT_MS", default=30 * 60_000
    )
    DB_POOL = env.bool("DB_POOL", default=True)

    if embedded:
        var_dir.mkdir(parents=True, exist_ok=True)
        DATABASES = {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": var_dir / "clinicops.sqlite3",
                "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            }
        }
    else:
        DATABASES = {"default": env.db_url_config(database_url)}
        DATABASES["default"].setdefault("OPTIONS", {})
        # Fail fast when the database is unreachable: a 503 page, not a hung worker.
        DATABASES["default"]["OPTIONS"].setdefault(
            "connect_timeout", DB_CONNECT_TIMEOUT
        )
        # No statement runs longer than this (a slow page answers 503 and frees its
        # connection); the report exports, which legitimately run long, raise it for
        # their own session (clinic.db_limits). 0 turns the limit off.
        DATABASES["default"]["OPTIONS"]["options"] = " ".join(
            filter(
                None,
                [
                    DATABASES["default"]["OPTIONS"].get("options", ""),
                    f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}",
                ],
            )
        )
        if DB_POOL:
            # Django's psycopg pool, per process: a request or job holds one connection
            # from its first query to its end, then gives it back (reset: no advisory
            # lock or SET survives its user). Django requires CONN_MAX_AGE=0 with it.
            DATABASES["default"]["OPTIONS"]["pool"] = {
                "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
                "max_size": env.int("DB_POOL_MAX_SIZE", default=8),
                # Also how long a page waits while the database is down (then 503).
                "timeout": env.int("DB_POOL_TIMEOUT", default=DB_CONNECT_TIMEOUT),
                "reset": _pool_connection_reset,
            }
            DATABASES["default"]["CONN_MAX_AGE"] = 0
        else:
            DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # Behind PgBouncer in transaction mode (DB_POOL=off then), a named cursor
        # cannot outlive its transaction: .iterator() must fetch client-side.
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
            "DB_DISABLE_SERVER_SIDE_CURSORS", default=False
        )

    # Two roles (production): the app connects as DATABASE_URL's role, which owns
    # nothing (it may only read and insert into the access log and the history
    # tables); `manage.py migrate` connects as MIGRATE_DATABASE_URL's role, the
    # tables' owner (same database: only its user, password, host and port are
    # used), and grants the app's role what it may do (clinic/db_guards.py).
    MIGRATE_DATABASE_URL = (
        "" if embedded else env.str("MIGRATE_DATABASE_URL", default="")
    )
    DATABASE_OWNER = (
        env.db_url_config(MIGRATE_DATABASE_URL) if MIGRATE_DATABASE_URL else {}
    )
    DATABASE_APP_ROLE = DATABASES["default"].get("USER", "") if DATABASE_OWNER else ""
    return {
        "DB_CONNECT_TIMEOUT": DB_CONNECT_TIMEOUT,
        "DB_STATEMENT_TIMEOUT_MS": DB_STATEMENT_TIMEOUT_MS,
        "DB_EXPORT_STATEMENT_TIMEOUT_MS": DB_EXPORT_STATEMENT_TIMEOUT_MS,
        "DB_POOL": DB_POOL,
        "DATABASES": DATABASES,
        "MIGRATE_DATABASE_URL": MIGRATE_DATABASE_URL,
        "DATABASE_OWNER": DATABASE_OWNER,
        "DATABASE_APP_ROLE": DATABASE_APP_ROLE,
    }
