"""A clinician orders a CBC, the lab's result arrives by ``import_hl7``, and the
critical alert appears in the inbox and is acknowledged, in a real browser."""

import io
import re
from datetime import date

import pytest
from django.core.management import call_command

from alerts.models import StaffAlert
from diagnostics.catalogue import catalogue_load
from diagnostics.hl7v2.writer import oru_message
from diagnostics.models import (
    CriticalAcknowledgement,
    DiagnosticOrder,
    Panel,
    ReferenceRange,
    TestDefinition,
)
from tests.clinic.factories import PASSWORD
from tests.registration.factories import PatientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_clinician_orders_cbc_result_arrives_and_critical_is_acknowledged(
    page, make_user, tmp_path
):
    # Transactional tests empty every table afterwards, the migrated catalogue too.
    catalogue_load(
        test_model=TestDefinition, range_model=ReferenceRange, panel_model=Panel
    )
    make_user("Clinician", username="drcal", first_name="Cal", last_name="Ordway")
    patient = PatientFactory(
        given_name="Ada", family_name="Lovelace", birth_date=date(1980, 1, 1)
    )
    page.goto(page.base_url + "/login/")
    page.get_by_label("Username").fill("drcal")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    page.goto(f"{page.base_url}/diagnostics/new/?patient={patient.pk}")
    page.get_by_role("checkbox", name=re.compile("Complete blood count")).check()
    page.get_by_label("Priority").select_option("stat")
    page.get_by_label("Reason (ICD-10-CM code)").fill("d64.9")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_load_state()
    order = DiagnosticOrder.objects.get(patient=patient)
    assert page.locator("#accession").inner_text() == order.accession
    assert order.items.count() == 9

    results = [
        ("WBC", "7.1", "", "F"),
        ("HGB", "6.2", "", "F"),
        ("PLT", "210", "", "F"),
    ]
    path = tmp_path / "result.hl7"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(oru_message(order=order, results=results, control_id="E2E-1"))
    out = io.StringIO()
    call_command("import_hl7", str(path), stdout=out)
    assert f"E2E-1 AA {order.accession}" in out.getvalue()

    page.goto(page.base_url + "/alerts/")
    row = page.locator("#alert-table tbody tr", has_text="Critical Hemoglobin")
    assert "6.2 g/dL (LL)" in row.inner_text()
    assert "Urgent" in row.inner_text()
    row.get_by_role("button", name="Acknowledge").click()
    row.get_by_text("Acknowledged").wait_for()
    alert = StaffAlert.objects.get(kind="critical_result")
    assert alert.status == StaffAlert.Status.ACKNOWLEDGED

    page.goto(page.base_url + order.get_absolute_url())
    page.get_by_role("link", name="Acknowledge critical").click()
    page.get_by_label("What was done").fill("Called patient; transfusion booked.")
    page.get_by_role("button", name="Acknowledge critical result").click()
    page.wait_for_load_state()
    assert "Critical Hemoglobin acknowledged." in page.content()
    assert "transfusion booked" in page.locator("#test-HGB").inner_text()
    ack = CriticalAcknowledgement.objects.get()
    assert ack.acknowledged_by.username == "drcal"
    alert.refresh_from_db()
    assert alert.status == StaffAlert.Status.RESOLVED
    assert page.console_errors == []
