"""One slow page cannot hold the pool (issue #22): every connection starts with a
statement timeout; a statement past it is cancelled, the page answers 503 with a
sentence saying so, and the connection serves the next request. Work that runs
long on purpose (report exports, migrations) lifts the limit for itself only."""

import time

import pytest
from django.conf import settings
from django.db import connection

from clinic.db_limits import TOO_SLOW, statement_timeout

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (make test)"
)


def _timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_every_connection_starts_with_the_configured_statement_timeout():
    assert settings.DB_STATEMENT_TIMEOUT_MS == 30_000
    assert _timeout() == "30s"


@pytest.mark.django_db
def test_a_long_job_lifts_the_limit_for_itself_and_puts_it_back():
    with statement_timeout(45 * 60_000):
        assert _timeout() == "45min"
    assert _timeout() == "30s"
    with pytest.raises(RuntimeError), statement_timeout(0):
        assert _timeout() == "0"
        raise RuntimeError("the job failed")
    assert _timeout() == "30s"


@pytest.mark.django_db(transaction=True)
def test_a_page_whose_query_runs_too_long_answers_503_and_the_next_one_works(
    client, make_user, monkeypatch
):
    assert settings.DATABASES["default"]["OPTIONS"]["pool"]  # production's pool
    client.force_login(make_user("Front desk"))

    def slow_search(**kwargs):
        # The page's limit, shortened so that the test need not wait 30 s.
        with statement_timeout(300), connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(10)")
        return []

    monkeypatch.setattr("registration.selectors.patient_search", slow_search)
    response = client.get("/patients/", {"q": "delgado"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.context["message"] == TOO_SLOW
    assert "This page took too long" in response.content.decode()

    monkeypatch.undo()
    assert client.get("/patients/", {"q": "delgado"}).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert _timeout() == "30s"


@pytest.mark.django_db(transaction=True)
def test_a_pooled_connection_comes_back_without_its_last_users_locks_or_limits(
    owner_connection,
):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(837, 42)")
        cursor.execute("SET statement_timeout = '1s'")
    # Back to the pool without unlocking (as if the unlock had failed); the pool
    # resets it in a thread of its own.
    connection.close()
    deadline = time.monotonic() + 10
    while not owner_connection.execute(
        "SELECT pg_try_advisory_lock(837, 42)"
    ).fetchone()[0]:
        assert time.monotonic() < deadline, "the lock outlived its connection's user"
        time.sleep(0.05)
    owner_connection.execute("SELECT pg_advisory_unlock(837, 42)")
    assert _timeout() == "30s"
