import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.alerts.fake_twilio import FakeTwilio

ROOT = Path(__file__).resolve().parent.parent.parent
AUTH_TOKEN = "test-auth-token"
FROM_NUMBER = "+15005550006"


@pytest.fixture
def fake_twilio(settings):
    """The real twilio client, pointed at a fake Twilio on 127.0.0.1."""
    yield from fake_twilio_server(settings)


def fake_twilio_server(settings):
    """The body of the ``fake_twilio`` fixture, for other test folders."""
    server = FakeTwilio().start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = server.account_sid
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = FROM_NUMBER
    settings.TWILIO_API_BASE = server.url
    settings.TWILIO_TIMEOUT_SECONDS = 2
    yield server
    server.stop()


def process_env(*, redis_url: str, twilio: FakeTwilio | None = None) -> dict:
    """The environment of a worker or sweeper process on this test's database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
    }
    if twilio is not None:
        env.update(
            SMS_BACKEND="twilio",
            TWILIO_ACCOUNT_SID=twilio.account_sid,
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            TWILIO_FROM_NUMBER=FROM_NUMBER,
            TWILIO_API_BASE=twilio.url,
            TWILIO_TIMEOUT_SECONDS="2",
        )
    return env


def start_process(args: list[str], env: dict) -> subprocess.Popen:
    """A manage.py command in its own process group (so a test can SIGKILL it
    together with the work-horse RQ forks)."""
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.fixture
def processes(redis_url):
    """Start manage.py commands against this test's database and Redis."""
    started: list[subprocess.Popen] = []

    def start(*args: str, twilio: FakeTwilio | None = None) -> subprocess.Popen:
        proc = start_process(
            list(args), process_env(redis_url=redis_url, twilio=twilio)
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()


def finish(*procs: subprocess.Popen, timeout: int = 120) -> None:
    for proc in procs:
        out, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, err[-3000:]
