"""Every URL pattern × every role gets the answer its declared rule promises.

A page added without a rule (a permission, AnyStaffMixin, or login_not_required)
fails here; so does a page whose pattern needs arguments this file cannot invent:
add a sample to SAMPLES.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinic.permissions import ROLE_PERMISSIONS, ROLES, AnyStaffMixin
from tests.registration.factories import (
    AllergyFactory,
    CoverageFactory,
    PatientFactory,
)
from tests.scheduling.factories import LocationFactory

pytestmark = pytest.mark.django_db

SKIPPED_NAMESPACES = {"admin"}  # Django admin: its own staff rule, tested below


def _location_history(users):
    location = LocationFactory()
    return (
        {"app_label": "scheduling", "model_name": "location", "pk": location.pk},
        ["scheduling.view_location"],
    )


def _staff_member(users):
    return {"pk": users["Nurse"].pk}, None


def _patient(users):
    return {"pk": PatientFactory().pk}, None


def _coverage(users):
    return {"pk": CoverageFactory().pk}, None


def _allergy(users):
    return {"pk": AllergyFactory().pk}, None


def _coverage_card(users):
    from django.core.files.base import ContentFile

    coverage = CoverageFactory()
    coverage.card_front.save("card.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 9))
    return {"pk": coverage.pk, "side": "front"}, None


# URL name -> function(users) -> (kwargs, permissions when the view decides at run time)
SAMPLES = {
    "clinic:history": _location_history,
    "clinic:staff-edit": _staff_member,
    "clinic:staff-deactivate": _staff_member,
    "clinic:staff-reactivate": _staff_member,
    "clinic:staff-password-reset": _staff_member,
    "clinic:staff-unlock": _staff_member,
    "registration:patient-chart": _patient,
    "registration:patient-edit": _patient,
    "registration:patient-merge": _patient,
    "registration:coverage-create": _patient,
    "registration:allergy-create": _patient,
    "registration:allergy-none": _patient,
    "registration:coverage-verify": _coverage,
    "registration:allergy-status": _allergy,
    "registration:coverage-card": _coverage_card,
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
    """('public' | 'staff' | 'perms', permissions) declared by the view."""
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
    kwargs = {}
    if name in SAMPLES:
        kwargs, sample_perms = SAMPLES[name](users)
        perms = sample_perms or perms
    url = reverse(name, kwargs=kwargs) if kwargs else reverse(name)
    ok = 200 if _allows_get(callback) else 405

    client.logout()
    anonymous = client.get(url)
    if kind == "public":
        assert anonymous.status_code in (200, 405), url
        return
    assert anonymous.status_code == 302, url
    assert anonymous["Location"].startswith(reverse("clinic:login")), url

    assert perms is not None, f"{name}: add the permissions it checks to SAMPLES"
    for role, user in users.items():
        client.force_login(user)
        allowed = kind == "staff" or set(perms) <= set(ROLE_PERMISSIONS.get(role, []))
        response = client.get(url)
        expected = ok if allowed else 403
        assert response.status_code == expected, (
            f"{name} as {role}: {response.status_code}"
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
