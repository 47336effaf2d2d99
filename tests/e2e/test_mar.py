"""A nurse opens the unit's MAR, scans a wristband and a medication, gives the
dose, and sees it marked given, in a real browser."""

from decimal import Decimal

import pytest
from django.utils import timezone

from medications.models import ScheduledDose
from tests.clinic.factories import PASSWORD
from tests.medications.factories import MedicationFactory, MedicationOrderFactory
from tests.scheduling.factories import LocationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_nurse_scans_and_gives_a_dose_on_the_unit_mar(page, make_user):
    nurse = make_user("Nurse", username="nora", first_name="Nora", last_name="Bed")
    unit = LocationFactory(code="infusion", name="Infusion Unit", kind="infusion")
    nurse.profile.default_location = unit
    nurse.profile.save()
    order = MedicationOrderFactory(
        location=unit,
        medication=MedicationFactory(
            name="Cefazolin",
            barcode="00409080501",
            unit="g",
            routes=["IV"],
            strength=Decimal("1"),
            max_single_dose=Decimal("2"),
        ),
        patient__mrn="E0000001",
        patient__given_name="Ann",
        patient__family_name="Lee",
        dose=Decimal("1"),
        dose_unit="g",
        route="IV",
    )
    dose = ScheduledDose.objects.create(order=order, due_at=timezone.now())

    page.goto(page.base_url + "/mar/")
    page.get_by_label("Username").fill("nora")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert page.locator("#mar-unit").inner_text() == "Infusion Unit"
    chip = page.locator(f"#dose-{dose.pk}")
    assert chip.get_attribute("data-state") == "due"

    # The scanner types the wristband code and presses Enter.
    page.locator("#scan-wristband").fill("E0000001")
    page.locator("#scan-wristband").press("Enter")
    page.wait_for_load_state()
    assert page.locator("#patient-name").inner_text() == "Lee, Ann"
    row = page.locator(f"#dose-row-{dose.pk}")
    row.get_by_role("link", name="Give").click()
    page.wait_for_load_state()

    # The wristband came along; the cursor waits in the medication barcode field.
    assert page.get_by_label("Patient wristband (MRN)").input_value() == "E0000001"
    barcode = page.get_by_label("Medication barcode (NDC)")
    barcode.wait_for()
    page.wait_for_function(
        "document.activeElement && document.activeElement.name === 'barcode'"
    )
    # A wrong drug first: the page says so and records nothing.
    page.keyboard.type("00409-9999-01")
    page.keyboard.press("Enter")  # the scanner's Enter moves on, it does not submit
    assert page.locator("#bedside-error").count() == 0
    assert page.evaluate("document.activeElement.name") == "amount"
    page.get_by_role("button", name="Give dose").click()
    page.wait_for_load_state()
    error = page.locator("#bedside-error").inner_text()
    assert "Wrong drug: the barcode scanned is no drug in the formulary" in error
    assert "not Cefazolin 1 g" in error and "0805" not in error

    page.get_by_label("Medication barcode (NDC)").fill("00409-0805-01")
    page.get_by_label("Site").fill("left forearm")
    page.get_by_role("button", name="Give dose").click()
    page.wait_for_load_state()

    assert (
        "Given: Cefazolin 1 g IV to Ann Lee" in page.locator(".messages").inner_text()
    )
    row = page.locator(f"#dose-row-{dose.pk}")
    assert row.get_attribute("data-state") == "given"
    assert "Nora Bed" in row.inner_text()

    page.goto(page.base_url + "/mar/")
    assert page.locator(f"#dose-{dose.pk}").get_attribute("data-state") == "given"
    assert page.console_errors == []
    dose.refresh_from_db()
    assert dose.status == "given"
