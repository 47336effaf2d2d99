"""Dates at the ends of the calendar in a page's query string never make a server
error: the forms refuse them (ClinicDateField) and the page falls back or says so.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

from clinic.fields import ClinicDateField, date_from_query
from clinic.permissions import ROLE_PERMISSIONS, ROLES
from tests.clinic.test_url_roles import ALL_PATTERNS, _allows_get, _rule

pytestmark = pytest.mark.django_db

PARAMS = [
    "date",
    "day",
    "start",
    "end",
    "start_day",
    "end_day",
    "date_from",
    "date_to",
    "until",
    "since",
]


def _pages():
    pages = []
    for name, callback in ALL_PATTERNS:
        if not name or not _allows_get(callback):
            continue
        kind, perms = _rule(callback)
        if kind not in ("staff", "perms") or perms is None:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # needs arguments
        role = next(
            (
                r
                for r in ROLES
                if kind == "staff" or set(perms) <= set(ROLE_PERMISSIONS[r])
            ),
            None,
        )
        if role is not None:
            pages.append((name, url, role))
    return pages


PAGES = _pages()


def test_the_walk_covers_the_date_filtered_pages():
    names = {name for name, _url, _role in PAGES}
    assert {
        "scheduling:day",
        "scheduling:week",
        "alerts:outbox",
        "medications:mar",
    } <= (names)


@pytest.mark.parametrize("bad", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize(("name", "url", "role"), PAGES, ids=[p[0] for p in PAGES])
def test_a_date_at_the_end_of_the_calendar_is_no_server_error(
    name, url, role, bad, client, make_user
):
    client.force_login(make_user(role))
    query = "&".join(f"{param}={bad}" for param in PARAMS)
    response = client.get(f"{url}?{query}")
    assert response.status_code < 500, f"{name} as {role}: {response.status_code}"


def test_the_date_field_names_the_range_it_accepts():
    field = ClinicDateField(required=False)
    with pytest.raises(ValidationError, match="between 1900-01-01 and 2199-12-31"):
        field.clean("9999-12-31")
    assert str(field.clean("2026-11-27")) == "2026-11-27"
    assert date_from_query("0001-01-01") is None
    assert date_from_query("not a date") is None
    assert str(date_from_query("2026-02-28")) == "2026-02-28"


@pytest.mark.parametrize(
    ("form_path", "field"),
    [
        ("registration.forms.CoverageForm", "subscriber_birth_date"),
        ("registration.forms.CoverageForm", "effective_date"),
        ("registration.forms.CoverageForm", "end_date"),
        ("scheduling.forms.WaitlistForm", "until"),
    ],
)
def test_record_forms_refuse_a_date_the_app_cannot_count_with(form_path, field):
    from django.utils.module_loading import import_string

    form = import_string(form_path)(data={field: "9999-12-31"})
    assert not form.is_valid()
    assert "between 1900-01-01 and 2199-12-31" in str(form.errors[field])
