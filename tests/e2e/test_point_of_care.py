"""At the bedside, in a real browser: a nurse opens the unit MAR, clicks a patient's
name, sees the red allergy banner, scans the wristband and the vial's dashed NDC,
and gives the dose; an MRN typed into an order shows whose it is before saving."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from diagnostics.catalogue import catalogue_load
from diagnostics.models import DiagnosticOrder, Panel, ReferenceRange, TestDefinition
from medications.models import ScheduledDose
from tests.clinic.factories import PASSWORD
from tests.medications.factories import MedicationFactory, MedicationOrderFactory
from tests.registration.factories import AllergyFactory, PatientFactory
from tests.scheduling.factories import LocationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page, username):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_a_nurse_sees_the_allergy_and_gives_a_dose_scanned_by_its_dashed_ndc(
    page, make_user
):
    nurse = make_user("Nurse", username="nora", first_name="Nora", last_name="Bed")
    unit = LocationFactory(code="infusion", name="Infusion Unit", kind="infusion")
    nurse.profile.default_location = unit
    nurse.profile.save()
    order = MedicationOrderFactory(
        location=unit,
        medication=MedicationFactory(
            name="Cefazolin",
            barcode="00409080501",
            form="injection",
            unit="g",
            routes=["IV"],
            strength=Decimal("1"),
            max_single_dose=Decimal("2"),
        ),
        patient__mrn="E0000002",
        patient__given_name="Rosa",
        patient__family_name="Marchetti",
        patient__allergy_review="recorded",
        dose=Decimal("1"),
        dose_unit="g",
        route="IV",
    )
    AllergyFactory(
        patient=order.patient,
        substance="Amoxicillin",
        reaction="Anaphylaxis",
        severity="life",
    )
    dose = ScheduledDose.objects.create(order=order, due_at=timezone.now())

    page.goto(page.base_url + "/mar/")
    _log_in(page, "nora")
    page.locator("#mar-table").get_by_role("link", name="Marchetti, Rosa").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/mar/patients/{order.patient_id}/")
    banner = page.locator("#allergy-banner")
    assert "Amoxicillin (Anaphylaxis)" in banner.inner_text()
    assert "alert-danger" in banner.get_attribute("class")

    page.locator(f"#dose-row-{dose.pk}").get_by_role("link", name="Give").click()
    page.wait_for_load_state()
    assert "Amoxicillin" in page.locator("#allergy-banner").inner_text()
    page.wait_for_function(
        "document.activeElement && document.activeElement.name === 'wristband'"
    )
    page.keyboard.type("E0000002")  # the wristband scanner, then its Enter
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == "barcode"
    page.keyboard.type("0409-0805-01")  # the NDC as printed on the vial
    page.keyboard.press("Enter")
    page.get_by_label("Site").fill("left forearm")
    page.get_by_role("button", name="Give dose").click()
    page.wait_for_load_state()

    assert (
        "Given: Cefazolin 1 g IV to Rosa Marchetti"
        in page.locator(".messages").inner_text()
    )
    assert page.locator(f"#dose-row-{dose.pk}").get_attribute("data-state") == "given"
    dose.refresh_from_db()
    assert dose.status == "given"
    assert page.console_errors == []


def test_an_mrn_typed_into_a_diagnostic_order_shows_the_patient_before_saving(
    page, make_user
):
    # Transactional tests empty every table afterwards, the migrated catalogue too.
    catalogue_load(
        test_model=TestDefinition, range_model=ReferenceRange, panel_model=Panel
    )
    make_user("Clinician", username="drcal")
    patient = PatientFactory(
        mrn="E0000003",
        given_name="Otto",
        family_name="Berg",
        birth_date=date(1944, 2, 29),
        allergy_review="not_asked",
    )
    page.goto(page.base_url + "/diagnostics/new/")
    _log_in(page, "drcal")
    page.get_by_label("Patient MRN").fill("e0000003")
    lookup = page.locator("#id_patient_mrn-patient")
    lookup.locator("#patient-name").wait_for()
    assert "Berg, Otto" in lookup.inner_text()
    assert "born 1944-02-29" in lookup.inner_text()
    assert "Allergies not yet asked" in lookup.inner_text()
    page.get_by_label("Patient MRN").fill("E0000009")
    lookup.locator("#patient-lookup-missing").wait_for()
    assert "No patient has the MRN E0000009." in lookup.inner_text()

    page.get_by_label("Patient MRN").fill("E0000003")
    lookup.locator("#patient-name").wait_for()
    page.get_by_role("checkbox", name=re.compile("Complete blood count")).check()
    page.get_by_label("Reason (ICD-10-CM code)").fill("D64.9")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_load_state()
    order = DiagnosticOrder.objects.get()
    assert order.patient == patient
    assert (
        "placed for Berg, Otto (E0000003), born 1944-02-29"
        in page.locator(".messages").inner_text()
    )
    assert page.console_errors == []
