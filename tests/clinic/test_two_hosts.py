"""Two app hosts, no shared disk (issue #22): two gunicorn processes, each in a
working folder of its own, on the same PostgreSQL, Redis and object store (the
throwaway ones of ``make test``). What one host starts, the other finishes: an
export requested on one downloads from the other, a card uploaded on one shows on
the other; a session, a lock-out and the address limit hold on both."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse

from clinic.models import ReportExport
from clinic.storage import exports_storage
from registration.models import Coverage
from tests.clinic.factories import PASSWORD
from tests.registration.factories import PayerFactory, card_image
from tests.registration.test_registration_form import URL as REGISTER_URL
from tests.registration.test_registration_form import _valid

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (make test)"
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Host:
    """One gunicorn serving the app from its own working folder."""

    def __init__(self, folder: Path, env: dict[str, str]):
        folder.mkdir()
        self.folder = folder
        self.url = f"http://127.0.0.1:{_free_port()}"
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "clinic.wsgi",
                "--pythonpath",
                str(ROOT),
                "--bind",
                self.url.removeprefix("http://"),
                "--workers",
                "1",
                # Threads share the process's connection pool, as in production.
                "--threads",
                "4",
            ],
            cwd=folder,
            env={**env, "CLINICOPS_VAR_DIR": str(folder / "var")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_until_up(self, deadline: float) -> None:
        while True:
            try:
                requests.get(f"{self.url}/healthz", timeout=5).raise_for_status()
                return
            except requests.RequestException:
                assert self.process.poll() is None, self.process.stderr.read()[-3000:]
                assert time.time() < deadline, "gunicorn did not start"
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def files_kept(self) -> list[str]:
        """Files this host wrote into its working folder, besides its own keys."""
        return sorted(
            str(path.relative_to(self.folder))
            for path in self.folder.rglob("*")
            if path.is_file() and path.parent.name != "staticfiles"
        )


@pytest.fixture
def hosts(tmp_path, redis_url, file_storage_env, settings):
    db = connection.settings_dict
    env = {
        **{key: value for key, value in os.environ.items() if key != "DEBUG"},
        **file_storage_env,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "HTTPS": "off",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DB_POOL": "on",
        "DB_POOL_MAX_SIZE": "4",
        "OTP_REQUIRED_ROLES": "",
        "AXES_FAILURE_LIMIT": "3",
        "AXES_ADDRESS_FAILURE_LIMIT": "8",
    }
    started = [Host(tmp_path / "host-a", env), Host(tmp_path / "host-b", env)]
    try:
        deadline = time.time() + 60
        for host in started:
            host.wait_until_up(deadline)
        yield started
    finally:
        for host in started:
            host.stop()


def _user(make_user, settings, role: str, username: str):
    """A user whose password the hosts can check (their hasher, not the suite's)."""
    user = make_user(role, username=username)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user.set_password(PASSWORD)
    user.save()
    return user


def _csrf(browser: requests.Session) -> str:
    return browser.cookies["csrftoken"]


def _log_in(browser: requests.Session, host: Host, username: str, password=PASSWORD):
    browser.get(f"{host.url}/login/")
    return browser.post(
        f"{host.url}/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": _csrf(browser),
        },
        allow_redirects=False,
    )


def test_what_one_host_starts_the_other_finishes(
    hosts, make_user, settings, run_rq_worker
):
    host_a, host_b = hosts
    _user(make_user, settings, "Administrator", "ada")
    _user(make_user, settings, "Front desk", "fred")

    # A session begun on one host is the same session on the other.
    admin = requests.Session()
    assert _log_in(admin, host_a, "ada").status_code == 302
    assert admin.get(f"{host_b.url}/reports/", allow_redirects=False).status_code == 200

    # An export requested through A, run by a worker, downloads through B.
    requested = admin.post(
        f"{host_a.url}{reverse('clinic:report-export', args=['access-log'])}",
        data={"format": "csv", "csrfmiddlewaretoken": _csrf(admin)},
        allow_redirects=False,
    )
    assert requested.status_code == 302, requested.text[-2000:]
    export = ReportExport.objects.get()
    run_rq_worker("reports")
    export.refresh_from_db()
    assert export.status == "done", export.error
    download = admin.get(
        f"{host_b.url}{reverse('clinic:export-download', args=[export.pk])}"
    )
    assert download.status_code == 200
    with exports_storage().open(export.file_name) as stored:
        assert download.content == stored.read()
    assert download.content.decode().rstrip("\n").endswith(export.sha256)

    # A card uploaded through A is shown by B.
    desk = requests.Session()
    assert _log_in(desk, host_a, "fred").status_code == 302
    picture = card_image("PNG")
    registered = desk.post(
        f"{host_a.url}{REGISTER_URL}",
        data={
            **_valid(payer=PayerFactory().pk, member_id="ABC123"),
            "csrfmiddlewaretoken": _csrf(desk),
        },
        files={"card_front": ("card.png", picture, "image/png")},
        allow_redirects=False,
    )
    assert registered.status_code == 302, registered.text[-2000:]
    coverage = Coverage.objects.get()
    assert default_storage.exists(coverage.card_front.name)
    card = desk.get(
        f"{host_b.url}"
        f"{reverse('registration:coverage-card', args=[coverage.pk, 'front'])}"
    )
    assert (card.status_code, card.headers["Content-Type"]) == (200, "image/png")
    assert card.content == picture

    # Logging out on B ends the session on A too.
    desk.post(
        f"{host_b.url}/logout/", data={"csrfmiddlewaretoken": _csrf(desk)}
    ).raise_for_status()
    assert desk.get(f"{host_a.url}/", allow_redirects=False).status_code == 302

    # Neither host kept a file of its own: both live in the object store.
    for host in hosts:
        assert host.files_kept() == [], host.files_kept()


def test_lock_outs_and_the_address_limit_count_on_both_hosts(
    hosts, make_user, settings
):
    host_a, host_b = hosts
    _user(make_user, settings, "Nurse", "nina")
    browser = requests.Session()

    # Wrong passwords, spread over both hosts, count as one: the third locks the
    # name, and the right password is then refused by both.
    for host in (host_a, host_b):
        assert _log_in(browser, host, "nina", "wrong").status_code == 200
    assert _log_in(browser, host_a, "nina", "wrong").status_code == 429
    for host in (host_b, host_a):
        locked = _log_in(browser, host, "nina")
        assert locked.status_code == 429
        assert "Too many failed log-ins for this user name" in locked.text

    # Every failure from this address (a refused one too) adds up across the
    # hosts: with five counted so far, the eighth pauses the address.
    assert _log_in(browser, host_b, "someone", "wrong").status_code == 200
    assert _log_in(browser, host_a, "someone-else", "wrong").status_code == 200
    paused = _log_in(browser, host_b, "a-third-name", "wrong")
    assert paused.status_code == 429
    assert re.search(r"Too many failed log-ins from this network address", paused.text)
