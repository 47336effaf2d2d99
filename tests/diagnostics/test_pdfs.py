"""The requisition, specimen labels and result report: long names, reasons and
results stay inside their cells and on the label (issue #18, printouts)."""

from datetime import date

import pytest
from django.urls import reverse

from diagnostics import services
from diagnostics.models import Observation, TestDefinition
from tests.clinic.test_pdf_layout import overlaps
from tests.diagnostics.factories import clinician, make_order
from tests.medications.test_printing import _text
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowded_order(make_user):
    """An order whose every printed field is as long as the forms allow it, with
    a critical result acknowledged at length and a long culture report."""
    doctor = clinician(
        first_name="Anastasia-Konstantina", last_name="Papadopoulou-Ramaswamy"
    )
    patient = PatientFactory(
        given_name="Bartholomew-Alexander",
        family_name="Vandenberghe-Castellanos y Montgomery",
        birth_date=date(1980, 1, 1),
    )
    order = make_order(
        patient=patient,
        actor=doctor,
        panels=("CBC",),
        tests=("UCX",),
        reason_code="R53.83",
        reason_text="Other fatigue; follow-up of " + "microcytic anaemia " * 8,
        instructions="Collect before the first dose of iron " * 5,
    )
    nurse = make_user("Nurse")
    services.specimen_collect(
        order=order, specimen_types=["blood", "urine"], actor=nurse
    )
    services.order_send_to_lab(order=order, actor=nurse)
    wanted = ["HGB", "WBC", "PLT", "UCX"]
    tests = {t.code: t for t in TestDefinition.objects.filter(code__in=wanted)}
    services.results_enter(
        order=order,
        values={
            tests["HGB"]: "6.0",
            tests["WBC"]: "123456.5",
            tests["PLT"]: "245",
            tests["UCX"]: "Escherichia coli >100,000 CFU/mL, resistant to "
            "ampicillin, ciprofloxacin and trimethoprim-sulfamethoxazole",
        },
        actor=nurse,
    )
    critical = Observation.objects.get(order=order, test__code="HGB")
    services.critical_acknowledge(
        observation=critical,
        action_taken="Called the patient back for transfusion " * 6,
        actor=doctor,
    )
    return doctor, order


@pytest.mark.parametrize(
    "name",
    ["diagnostics:requisition-pdf", "diagnostics:label-pdf", "diagnostics:report-pdf"],
)
def test_long_names_and_results_stay_inside_their_cells(client, crowded_order, name):
    doctor, order = crowded_order
    client.force_login(doctor)
    response = client.get(reverse(name, args=[order.pk]))
    assert response.status_code == 200
    assert overlaps(response.content) == []
    assert "Vandenberghe" in _text(response.content)


def test_the_report_shows_units_as_printed_and_values_at_the_labs_precision(
    client, crowded_order
):
    doctor, order = crowded_order
    client.force_login(doctor)
    text = _text(client.get(reverse("diagnostics:report-pdf", args=[order.pk])).content)
    assert "µL" in text and "uL" not in text
    assert "6.0" in text and "6.0000" not in text
    assert "CRITICAL LOW" in text
