"""Settings, security headers, health, the database-down page, code health."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import ROOT

PROD_ENV = {
    "DATABASE_URL": "postgres://clinicops@127.0.0.1:5432/clinicops",
    "SECRET_KEY": "x" * 30 + "a-long-random-production-secret-key-9f8e7d6c5b4a",
    "ALLOWED_HOSTS": "clinic.example.org",
    "HTTPS": "on",
}


def _manage(*args, env=None, timeout=120):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PROD_ENV, "SECRET_KEY": ""}
    env_without = {k: v for k, v in env.items() if k != "SECRET_KEY"}
    base = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, **env_without},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_is_off_unless_set(settings):
    assert settings.DEBUG is False


@pytest.mark.django_db
def test_every_html_page_carries_a_csp_without_inline_scripts(client, admin_user):
    client.force_login(admin_user)
    for url in ("/login/", reverse("clinic:home"), reverse("clinic:staff-list")):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]+)", policy).group(1)
        assert "'unsafe-inline'" not in script_src
        assert "'self'" in script_src


def test_no_template_holds_inline_javascript():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in match.group(1):
                offenders.append(f"{path}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path}: on* event attribute")
        if "javascript:" in text:
            offenders.append(f"{path}: javascript: URL")
    assert offenders == []


def test_static_assets_are_vendored_not_fetched_from_a_cdn():
    base = (ROOT / "templates" / "base.html").read_text()
    assert "http://" not in base and "https://" not in base
    for asset in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
    ):
        assert (ROOT / "static" / asset).stat().st_size > 10_000


@pytest.mark.django_db
def test_healthz_answers_without_log_in_and_without_data(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


DOWN_PROBE = """
import time, django
django.setup()
from django.test import Client
client = Client()
for path in ("/healthz", "/login/", "/"):
    started = time.monotonic()
    response = client.get(path)
    print(path, response.status_code, round(time.monotonic() - started, 1))
"""


def test_with_the_database_down_pages_fail_fast_with_a_503():
    # Nothing listens on port 1, so connecting fails at once; a black-holed host
    # would instead take the connect timeout (DB_CONNECT_TIMEOUT seconds).
    env = {
        **PROD_ENV,
        "HTTPS": "off",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://clinicops@127.0.0.1:1/clinicops",
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
    }
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", DOWN_PROBE],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line.split() for line in result.stdout.strip().splitlines()]
    assert [(path, status) for path, status, _secs in lines] == [
        ("/healthz", "503"),
        ("/login/", "503"),
        ("/", "503"),
    ]
    assert time.monotonic() - started < 30


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).parent / "ruff"
    check = subprocess.run(
        [ruff, "check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout
    fmt = subprocess.run(
        [ruff, "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert fmt.returncode == 0, fmt.stdout


def test_migrations_match_the_models():
    result = _manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def _settings_printed(expression: str, env: dict) -> str:
    """The last line ``manage.py shell`` prints for ``expression`` in an environment
    of exactly the suite's own plus ``env`` (a None value removes a variable)."""
    full = {**os.environ, **env}
    full = {
        k: v
        for k, v in full.items()
        if v is not None and k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            f"from django.conf import settings as s; print({expression})",
        ],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()[-1]


def test_production_serves_https_only_unless_told_otherwise():
    """DATABASE_URL set and no HTTPS setting: https redirects, secure cookies, HSTS,
    and a clean deploy check; HTTPS=off is the explicit opt-out."""
    show = (
        "s.HTTPS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS"
    )
    production = {**PROD_ENV, "HTTPS": None}
    assert _settings_printed(show, production) == "True True True True 31536000"
    env = {
        k: v
        for k, v in {**os.environ, **PROD_ENV}.items()
        if k not in ("HTTPS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    deploy = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    opted_out = {**PROD_ENV, "HTTPS": "off"}
    assert _settings_printed(show, opted_out) == "False False False False 0"
    embedded = {"DATABASE_URL": None, "HTTPS": None}
    assert _settings_printed("s.HTTPS", embedded) == "False"


@pytest.mark.django_db
def test_every_response_carries_a_permissions_policy(client, admin_user):
    client.force_login(admin_user)
    for url in ("/login/", reverse("clinic:home"), "/healthz", "/nosuch/"):
        policy = client.get(url)["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy, url
        assert "microphone=()" in policy and "payment=()" in policy, url


@pytest.mark.django_db
def test_gunicorn_names_no_server_software():
    """A real gunicorn serving the app sends no Server header."""
    import http.client
    import socket

    from django.db import connection

    db = connection.settings_dict
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "HTTPS")},
        **PROD_ENV,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    del env["HTTPS"]  # the production default: https
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "clinic.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/login/")
                response = conn.getresponse()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-3000:]
                assert time.time() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        headers = {name.lower(): value for name, value in response.getheaders()}
        assert "server" not in headers, headers
        # Plain http is sent to https by default in production.
        assert response.status == 301
        assert headers["location"] == f"https://127.0.0.1:{port}/login/"
        assert "camera=()" in headers["permissions-policy"]
    finally:
        server.terminate()
        server.wait(timeout=30)
