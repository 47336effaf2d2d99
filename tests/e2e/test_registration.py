"""The front desk registers a patient, is warned about a near-duplicate, opens the
existing chart from the warning, then registers a genuinely new twin with a reason."""

from datetime import date

import pytest

from clinic.models import AccessLog
from registration.models import Patient
from tests.clinic.factories import PASSWORD
from tests.registration.factories import PatientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page, username):
    page.goto(page.base_url + "/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _fill_registration(page):
    page.get_by_label("Given name", exact=False).first.fill("Jonathon")
    page.get_by_label("Family name", exact=False).first.fill("Hughes")
    page.locator("#id_birth_date").fill("1975-06-30")
    page.get_by_label("Sex at birth").select_option("M")
    page.get_by_label("Mobile phone").fill("(617) 555-0142")


def test_front_desk_is_warned_about_a_near_duplicate_and_opens_the_chart(
    page, make_user
):
    make_user("Front desk", username="desk")
    existing = PatientFactory(
        given_name="Jonathan", family_name="Hughes", birth_date=date(1975, 6, 30)
    )
    _log_in(page, "desk")

    # The header search finds the existing patient with the keyboard.
    search = page.locator("#header-patient-search")
    search.fill("hug jon")
    page.locator("#header-search-results a.list-group-item").first.wait_for()
    search.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/patients/{existing.pk}/")

    page.goto(page.base_url + "/patients/new/")
    _fill_registration(page)
    # While typing, the possible duplicate already shows.
    live = page.locator("#live-duplicate-list")
    live.wait_for()
    assert existing.mrn in live.inner_text()
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()

    warning = page.locator("#duplicate-warning")
    assert warning.is_visible()
    assert "Same date of birth, similar name" in warning.inner_text()
    assert existing.mrn in warning.inner_text()
    assert Patient.objects.count() == 1

    # Not the same person after all: register the twin, with the reason.
    _fill_registration(page)
    page.get_by_label("Why this is a different patient").fill(
        "Twin brother, checked photo ID"
    )
    page.get_by_role("button", name="Register as a new patient").click()
    page.wait_for_load_state()
    twin = Patient.objects.exclude(pk=existing.pk).get()
    assert page.url.endswith(f"/patients/{twin.pk}/")
    assert page.locator("#patient-mrn").inner_text() == f"MRN {twin.mrn}"
    assert twin.duplicate_override_reason == "Twin brother, checked photo ID"

    # And the clerk opens the existing chart from the warning's link.
    page.goto(page.base_url + "/patients/new/")
    _fill_registration(page)
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    page.locator("#duplicate-matches").get_by_role(
        "link", name="Hughes, Jonathan"
    ).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/patients/{existing.pk}/")
    assert page.locator("#patient-name").inner_text() == "Hughes, Jonathan"
    assert AccessLog.objects.filter(patient=existing, what="chart").count() == 2
    assert page.console_errors == []
