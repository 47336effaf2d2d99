"""Every page drawn on base.html has a help entry (training/help/*.md), and the
panel shows it rendered, with raw HTML in a help file shown as text."""

import pytest
from django.db import transaction

from clinic.permissions import ROLE_PERMISSIONS, ROLES
from tests.clinic import test_url_roles as walk
from tests.clinic.url_samples import MOVED, QUERIES, sample_url
from training import help as help_files

pytestmark = pytest.mark.django_db


def _allowed_role(kind, perms, only_roles):
    for role in ROLES:
        if only_roles is not None and role not in only_roles:
            continue
        if kind == "staff" or set(perms or []) <= set(ROLE_PERMISSIONS[role]):
            return role
    return None


def _pages(client, users):
    """(URL name, response) of each pattern's GET as a role it is open to."""
    for name, callback in walk.ALL_PATTERNS:
        kind, perms = walk._rule(callback)
        if kind == "token" or name in MOVED or not walk._allows_get(callback):
            continue
        with transaction.atomic():  # each sample's rows are undone after its look
            yield name, _look(client, users, name, kind, perms)
            transaction.set_rollback(True)


def _look(client, users, name, kind, perms):
    url, perms, only_roles = sample_url(name, users, perms)
    client.logout()
    if kind != "public":
        role = _allowed_role(kind, perms, only_roles)
        if role is None:
            return None
        client.force_login(users[role])
    return client.get(url, QUERIES.get(name, {}))


def test_every_page_has_a_help_entry(client, make_user):
    users = {role: make_user(role) for role in ROLES}
    users["no role"] = make_user(None)
    missing, shown = [], 0
    for name, response in _pages(client, users):
        if response is None:
            continue
        templates = {t.name for t in response.templates}
        if response.status_code != 200 or "base.html" not in templates:
            continue
        if help_files.help_for(name) is None:
            missing.append(name)
        else:
            shown += 1
            assert b'id="help-panel"' in response.content, name
    assert missing == [], f"pages without a help entry in training/help/: {missing}"
    assert shown > 50


def test_help_entries_name_only_pages_that_exist():
    names = {name for name, _callback in walk.ALL_PATTERNS}
    assert set(help_files.help_entries()) - names == set()


def test_help_markdown_is_rendered_and_raw_html_is_escaped(tmp_path, monkeypatch):
    (tmp_path / "clinic.md").write_text(
        "# Help\n\n## home: Home\n\n**Bold** <script>alert(1)</script>\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(help_files, "HELP_DIR", tmp_path)
    help_files.help_entries.cache_clear()
    try:
        entry = help_files.help_for("clinic:home")
        assert entry.title == "Home"
        assert "<strong>Bold</strong>" in entry.html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in entry.html
        assert "<script>" not in entry.html
    finally:
        help_files.help_entries.cache_clear()
