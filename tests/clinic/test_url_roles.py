"""Every URL pattern × every role gets the answer its declared rule promises.

A page added without a rule (a permission, AnyStaffMixin, or login_not_required)
fails here; so does a page whose pattern needs arguments this file cannot invent:
add a sample to SAMPLES (the table in tests/clinic/url_samples/__init__.py, its
row builders in care.py and office.py beside it). Every answer to a logged-in user
says ``Cache-Control: no-store, private``, and every page a role opens writes an
access-log row for that look unless it is listed in SHOWS_NO_PHI.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinic.models import AccessLog
from clinic.permissions import ROLE_PERMISSIONS, ROLES, AnyStaffMixin
from tests.clinic.url_samples import MOVED, QUERIES, TOKEN_ANSWERS, sample_url

pytestmark = pytest.mark.django_db

SKIPPED_NAMESPACES = {"admin"}  # Django admin: its own staff rule, tested below

# Pages that show no patient's data (set-up, staff, aggregates, empty forms). Every
# other page that answers a GET must write an access-log row each time it is opened.
SHOWS_NO_PHI = {
    "billing:remittance-upload-detail",  # a background import's counts
    "clinic:staff-two-factor-reset",
    "clinic:two-factor",
    "clinic:two-factor-setup",
    "diagnostics:hl7-upload-detail",  # a background import's counts
    "automations:action-form",
    "automations:condition-form",
    "automations:create",
    "automations:edit",
    "automations:library",
    "automations:list",
    "automations:metrics",
    "automations:rule-create",
    "automations:rule-edit",
    "automations:rule-list",
    "billing:batch-list",
    "billing:icd10cm-search",  # the ICD-10-CM code table
    "billing:remittance-list",
    "billing:remittance-upload",
    "billing:reports",
    "clinic:export-detail",
    "clinic:password-change",
    "clinic:report-integrity",  # row ids and hashes
    "clinic:reports",
    "clinic:staff-create",
    "clinic:staff-deactivate",
    "clinic:staff-edit",
    "clinic:staff-list",
    "clinic:staff-password-reset",
    "clinic:staff-reactivate",
    "diagnostics:catalogue",
    "diagnostics:hl7-set-aside",  # the form only
    "diagnostics:hl7-upload",
    "diagnostics:order-create",
    "diagnostics:turnaround",
    "medications:formulary",
    "medications:formulary-create",
    "medications:formulary-edit",
    "medications:scan",
    "registration:patient-create",
    "scheduling:find",
    "scheduling:book",
    "scheduling:metrics",
    "scheduling:provider-list",
    "scheduling:waitlist-add",
    "smart:client-create",
    "smart:client-edit",
    "smart:client-list",
    "smart:client-switch-off",
    "smart:client-switch-on",
    "training:pain-points",  # weekly aggregates
    "training:exercises",  # exercise texts and staff names
}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full = f"{namespace}:{ns}".strip(":") if ns else namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, full)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, entry.callback


ALL_PATTERNS = sorted(
    _walk(get_resolver().url_patterns), key=lambda item: item[0] or ""
)


def _rule(callback):
    """('public' | 'token' | 'staff' | 'perms', permissions) declared by the view.
    'token': the FHIR API, which takes a SMART bearer token, not a staff log-in."""
    if getattr(callback, "token_authenticated", False):
        return "token", []
    if getattr(callback, "login_required", True) is False:
        return "public", []
    view_class = getattr(callback, "view_class", None)
    if view_class is not None and issubclass(view_class, AnyStaffMixin):
        return "staff", []
    holder = view_class or callback
    perms = getattr(holder, "permission_required", None)
    if perms:
        return "perms", [perms] if isinstance(perms, str) else list(perms)
    if view_class is not None and "get_permission_required" in vars(view_class):
        return "perms", None  # decided per request: SAMPLES gives the permissions
    return None, None


def _allows_get(callback) -> bool:
    view_class = getattr(callback, "view_class", None)
    return view_class is None or "get" in view_class.http_method_names


def test_every_pattern_declares_an_access_rule():
    missing = [name for name, callback in ALL_PATTERNS if _rule(callback)[0] is None]
    assert missing == [], f"URL patterns without an access rule: {missing}"


def test_the_no_phi_list_names_only_pages_that_exist():
    names = {name for name, _callback in ALL_PATTERNS}
    assert SHOWS_NO_PHI - names == set()


def test_at_least_the_foundation_pages_are_walked():
    names = {name for name, _callback in ALL_PATTERNS}
    assert {
        "clinic:home",
        "clinic:login",
        "clinic:staff-list",
        "clinic:history",
    } <= names


@pytest.mark.parametrize(
    ("name", "callback"), ALL_PATTERNS, ids=[n for n, _c in ALL_PATTERNS]
)
def test_pattern_answers_each_role_as_declared(name, callback, client, make_user):
    users = {role: make_user(role) for role in ROLES}
    users["no role"] = make_user(None)
    kind, perms = _rule(callback)
    url, perms, only_roles = sample_url(name, users, perms)
    ok = 302 if name in MOVED else 200 if _allows_get(callback) else 405

    client.logout()
    anonymous = client.get(url)
    if kind == "public":
        assert anonymous.status_code in (200, 405), url
        return
    if kind == "token":
        # No token: 401 with an OperationOutcome, to a staff session as well.
        client.force_login(users["Administrator"])
        for response in (anonymous, client.get(url)):
            assert response.status_code == TOKEN_ANSWERS.get(name, 401), url
            assert response.json()["resourceType"] == "OperationOutcome", url
        return
    assert anonymous.status_code == 302, url
    assert anonymous["Location"].startswith(reverse("clinic:login")), url

    assert perms is not None, f"{name}: add the permissions it checks to SAMPLES"
    for role, user in users.items():
        client.force_login(user)
        allowed = kind == "staff" or set(perms) <= set(ROLE_PERMISSIONS.get(role, []))
        if only_roles is not None:
            allowed = allowed and role in only_roles
        looks = AccessLog.objects.filter(user=user).count()
        response = client.get(url, QUERIES.get(name, {}))
        expected = ok if allowed else 403
        assert response.status_code == expected, (
            f"{name} as {role}: {response.status_code}"
        )
        directives = response.get("Cache-Control", "")
        assert "no-store" in directives and "private" in directives, (
            f"{name} as {role}: Cache-Control {directives!r}"
        )
        if expected == 200 and name not in SHOWS_NO_PHI:
            assert AccessLog.objects.filter(user=user).count() > looks, (
                f"{name} as {role}: shows a patient's data but wrote no access-log row"
            )


def test_django_admin_is_for_administrators_only(client, make_user):
    url = reverse("admin:index")
    assert client.get(url).status_code == 302
    for role in ROLES:
        client.force_login(make_user(role))
        response = client.get(url)
        if role == "Administrator":
            assert response.status_code == 200
        else:
            assert response.status_code == 302  # to the admin's own log-in
    client.logout()


def test_the_rq_dashboard_is_for_administrators_only(client, make_user, redis_url):
    url = "/admin/django_rq/dashboard/"
    for role in ROLES:
        client.force_login(make_user(role))
        response = client.get(url)
        assert response.status_code == (200 if role == "Administrator" else 302), role
    client.logout()
