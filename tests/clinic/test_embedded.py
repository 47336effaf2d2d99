"""The embedded default (`make run`: SQLite, no Redis) serves every page.

Runs in a separate process because the suite's own settings point at PostgreSQL.
"""

import os
import subprocess
import sys

from tests.conftest import ROOT

SMOKE = r"""
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.urls import get_resolver, reverse, URLPattern, URLResolver
from django.contrib.auth import get_user_model

call_command("migrate", verbosity=0)
call_command("seed_demo", "--patients", "5", verbosity=0)

def walk(patterns, ns=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            inner = f"{ns}:{p.namespace}".strip(":") if p.namespace else ns
            yield from walk(p.url_patterns, inner)
        elif (
            isinstance(p, URLPattern)
            and not p.pattern.converters
            and not p.pattern.regex.groups
        ):
            yield f"{ns}:{p.name}" if ns else p.name

urls = [reverse(name) for name in walk(get_resolver().url_patterns)]
urls += ["/reports/access-log/", "/reports/change-history/", "/reports/user-access/",
         "/reports/access-log/csv/", "/history/scheduling/location/1/",
         "/reports/medication-record/", "/reports/medication-record/csv/",
         "/reports/medication-record/?kind=late&location=1",
         "/reports/communications/", "/reports/communications/csv/",
         "/reports/communications/?kind=no_consent",
         "/reports/claim-submissions/", "/reports/claim-submissions/csv/",
         "/reports/claim-submissions/?kind=denied"]
User = get_user_model()
bad = []
for username in ["frontdesk", "nurse", "clinician", "billing", "admin"]:
    client = Client()
    client.force_login(User.objects.get(username=username))
    for url in urls:
        response = client.get(url)
        if response.streaming:  # an error while streaming is an error too
            b"".join(response.streaming_content)
        if response.status_code >= 500:
            bad.append((username, url, response.status_code))
print("checked", len(urls), "urls")
print("BAD", bad)
"""


def test_every_page_answers_without_error_on_sqlite(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS")
    }
    env.update(
        CLINICOPS_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="clinic.settings",
        ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run(
        [sys.executable, "-c", SMOKE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "BAD []" in result.stdout, result.stdout + result.stderr[-3000:]
    assert "checked" in result.stdout
