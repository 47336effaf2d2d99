"""A nurse finds a restricted patient, sees only "restricted", breaks the glass with
a reason and opens the chart; an administrator sees the alert and signs it off."""

import pytest

from registration.models import BreakGlassGrant
from tests.clinic.factories import PASSWORD
from tests.registration.factories import PatientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page, username):
    page.goto(page.base_url + "/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()


def test_nurse_breaks_the_glass_and_an_administrator_signs_it_off(page, make_user):
    make_user("Nurse", username="nora", first_name="Nora", last_name="Reyes")
    make_user("Administrator", username="ada")
    patient = PatientFactory(
        given_name="Marlowe", family_name="Starling", restriction="public_figure"
    )

    _log_in(page, "nora")
    page.goto(page.base_url + f"/patients/?q={patient.mrn}")
    results = page.locator("#patient-results")
    assert "Restricted patient" in results.inner_text()
    assert "Starling" not in page.content()

    results.get_by_role("link", name="Restricted patient").click()
    page.wait_for_load_state()
    page.get_by_label("Why do you need this record?").select_option("emergency")
    page.get_by_label("Explain in a few words").fill("Collapsed at the infusion chair")
    page.get_by_label("I need this record for my work now", exact=False).check()
    page.get_by_role("button", name="Break the glass and open the record").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/patients/{patient.pk}/")
    assert page.locator("#patient-name").inner_text().startswith("Starling, Marlowe")
    assert "Public figure" in page.locator("#patient-restricted").inner_text()
    _log_out(page)

    _log_in(page, "ada")
    page.goto(page.base_url + "/alerts/")
    row = page.locator("#alert-table tbody tr").first
    assert "Restricted record opened by Nora Reyes" in row.inner_text()
    page.goto(page.base_url + "/reports/restricted-access/")
    assert "Starling, Marlowe" in page.locator("#report-table").inner_text()
    page.locator("#report-action").click()
    page.wait_for_load_state()
    grant = BreakGlassGrant.objects.get()
    assert "chart" in page.locator(f"#grant-{grant.pk}").inner_text()
    page.locator(f"#choose-{grant.pk}").check()
    page.get_by_label("Sign-off note").fill("Called Nora: emergency confirmed")
    page.locator("#sign-off").click()
    page.wait_for_load_state()
    assert "1 access(es) signed off." in page.content()
    grant.refresh_from_db()
    assert grant.review_note == "Called Nora: emergency confirmed"
    assert grant.reviewed_by.username == "ada"
    page.goto(page.base_url + "/alerts/")
    assert "Restricted record opened" not in page.locator("#alert-table").inner_text()
    assert page.console_errors == []
