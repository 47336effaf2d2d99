"""A nurse stops a home medication after a reaction while reviewing the list with
the patient; the clinician's order of a drug sharing its ingredient is refused
as an allergy until an override reason is given."""

import pytest
from django.urls import reverse

from medications.models import MedicationOrder
from tests.e2e.test_reminders import _log_in
from tests.medications.factories import MedicationFactory, augmentin_add
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import LocationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_reaction_recorded_at_the_review_stops_the_order_as_an_allergy(
    page, make_user, tmp_path
):
    nurse = make_user("Nurse", username="nell")
    make_user("Clinician", username="doc")
    unit = LocationFactory(name="Infusion")
    drug = MedicationFactory(name="Amoxil", ingredients=["amoxicillin"], routes=["PO"])
    patient = PatientFactory(given_name="Rosa")
    augmentin_add(patient, nurse)

    _log_in(page, "nell")
    page.goto(page.base_url + reverse("medications:home-list", args=[patient.pk]))
    page.get_by_role("button", name="Review with the patient").click()
    page.wait_for_load_state()
    page.get_by_label("Decision").select_option("stopped")
    page.get_by_label("Stopped after a reaction").fill("rash")
    page.get_by_role("button", name="Record").click()
    page.wait_for_load_state()
    assert "after rash: counts as an allergy" in page.content()
    page.screenshot(path=tmp_path / "home_list.png", full_page=True)

    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    _log_in(page, "doc")
    page.goto(page.base_url + reverse("medications:order-create", args=[patient.pk]))
    chosen = {"medication": drug.pk, "location": unit.pk, "dose_unit": "mg"}
    chosen |= {"route": "PO", "frequency": "interval"}
    for name, value in chosen.items():
        page.locator(f"select[name={name}]").select_option(str(value))
    for name, value in {"dose": "500", "interval_hours": "8"}.items():
        page.locator(f"input[name={name}]").fill(value)
    page.get_by_role("button", name="Sign order").click()
    page.wait_for_load_state()
    assert "Augmentin (stopped at home after rash)" in page.content()
    page.screenshot(path=tmp_path / "order_refused.png", full_page=True)
    assert not MedicationOrder.objects.exists()
    print(f"\nscreenshots in {tmp_path}")
