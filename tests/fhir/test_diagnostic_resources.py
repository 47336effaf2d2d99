"""Lab orders and results as ServiceRequest, Observation and DiagnosticReport."""

import pytest

from clinic.fhir_datatypes import SNOMED, practitioner
from diagnostics import services
from diagnostics.fhir import (
    observation_to_fhir,
    order_report_to_fhir,
    order_to_fhir,
    reference_range,
)
from diagnostics.models import TestDefinition
from tests.diagnostics.factories import make_order
from tests.fhir.valid import assert_valid

pytestmark = pytest.mark.django_db


def _enter(order, actor, status="F", **values):
    tests = {TestDefinition.objects.get(code=code): raw for code, raw in values.items()}
    return services.results_enter(order=order, values=tests, status=status, actor=actor)


def test_a_one_panel_order_is_a_us_core_service_request_coded_in_loinc():
    order = make_order(panels=("CBC",), reason_text="Fatigue", fasting=True)

    resource = assert_valid(order_to_fhir(order))

    assert (resource["status"], resource["intent"]) == ("active", "order")
    assert resource["category"][0]["coding"][0]["code"] == "108252007"
    assert resource["code"] == {
        "coding": [
            {
                "system": "http://loinc.org",
                "code": "58410-2",
                "display": "Complete blood count",
            }
        ],
        "text": "Complete blood count",
    }
    assert resource["identifier"][0]["value"] == order.accession
    assert resource["requester"] == practitioner(order.ordering_clinician)
    assert resource["reasonCode"][0]["coding"][0]["code"] == "R53.83"
    assert resource["reasonCode"][0]["text"] == "Fatigue"
    assert resource["patientInstruction"] == "Fasting required."


def test_an_order_of_several_panels_names_them_without_claiming_one_code():
    order = make_order(panels=("LIPID",), tests=("HGB",))
    code = assert_valid(order_to_fhir(order))["code"]
    assert code == {"text": "Lipid panel, Hemoglobin"}


def test_a_cancelled_order_is_revoked_with_its_reason():
    order = make_order()
    services.order_cancel(
        order=order, reason="Duplicate order", actor=order.ordering_clinician
    )
    order.refresh_from_db()

    resource = assert_valid(order_to_fhir(order))

    assert resource["status"] == "revoked"
    assert resource["note"] == [{"text": "Duplicate order"}]
    assert assert_valid(order_report_to_fhir(order))["status"] == "cancelled"


def test_a_critical_result_is_a_lab_observation_flagged_ll(make_user):
    order = make_order(panels=(), tests=("K",))
    nurse = make_user("Nurse")
    [potassium] = _enter(order, nurse, K="2.1")

    resource = assert_valid(observation_to_fhir(potassium))

    assert resource["status"] == "final"
    assert resource["category"][0]["coding"][0]["code"] == "laboratory"
    assert resource["code"]["coding"][0]["code"] == potassium.test.loinc
    assert resource["valueQuantity"] == {
        "value": 2.1,
        "unit": "mmol/L",
        "system": "http://unitsofmeasure.org",
        "code": "mmol/L",
    }
    assert resource["interpretation"][0]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
        "code": "LL",
        "display": "Critical low",
    }
    assert resource["referenceRange"][0]["low"]["value"] == 3.5
    assert resource["referenceRange"][0]["high"]["value"] == 5.1
    assert resource["performer"] == [practitioner(nurse)]
    assert resource["basedOn"] == [{"reference": f"ServiceRequest/{order.pk}"}]

    order.refresh_from_db()
    report = assert_valid(order_report_to_fhir(order))
    assert report["status"] == "final"
    assert report["category"][0]["coding"][0]["code"] == "LAB"
    assert report["result"] == [{"reference": f"Observation/{potassium.pk}"}]
    assert report["issued"]


def test_a_corrected_result_and_its_report_say_corrected(make_user):
    nurse = make_user("Nurse")
    order = make_order(panels=(), tests=("TSH",))
    _enter(order, nurse, TSH="2.0")
    services.order_review(order=order, note="Fine.", actor=order.ordering_clinician)
    order.refresh_from_db()
    reviewed = assert_valid(order_report_to_fhir(order))
    assert reviewed["status"] == "final"
    assert reviewed["conclusion"] == "Fine."
    assert reviewed["resultsInterpreter"] == [practitioner(order.ordering_clinician)]

    [tsh] = _enter(order, nurse, status="C", TSH="6.0")
    order.refresh_from_db()

    assert assert_valid(observation_to_fhir(tsh))["status"] == "corrected"
    assert assert_valid(observation_to_fhir(tsh))["valueQuantity"]["value"] == 6
    assert assert_valid(order_report_to_fhir(order))["status"] == "corrected"


def test_preliminary_and_non_numeric_results(make_user):
    nurse = make_user("Nurse")
    order = make_order(panels=(), tests=("STREP", "UCX"))
    strep, culture = _enter(
        order, nurse, status="P", STREP="Detected", UCX="No growth at 48 h"
    )
    order.refresh_from_db()

    coded = assert_valid(observation_to_fhir(strep))
    assert coded["status"] == "preliminary"
    assert coded["valueCodeableConcept"] == {
        "coding": [{"code": "Detected"}],
        "text": "Detected",
    }
    assert coded["interpretation"][0]["coding"][0]["code"] == "A"
    assert coded["referenceRange"] == [{"text": "Not detected or Negative"}]
    assert "valueQuantity" not in coded
    text = assert_valid(observation_to_fhir(culture))
    assert text["valueString"] == "No growth at 48 h"
    assert assert_valid(order_report_to_fhir(order))["status"] == "partial"


def test_a_coded_hl7_value_keeps_its_code_system(make_user):
    order = make_order(panels=(), tests=("STREP",))
    [strep] = _enter(order, make_user("Nurse"), STREP="Negative")
    strep.value_code, strep.value_code_system = "260385009", "SCT"
    value = assert_valid(observation_to_fhir(strep))["valueCodeableConcept"]
    assert value["coding"] == [{"system": SNOMED, "code": "260385009"}]


def test_reference_ranges_become_low_and_high_when_they_are_numbers():
    assert reference_range(">=60", "mL/min") == {
        "low": {
            "value": 60,
            "unit": "mL/min",
            "system": "http://unitsofmeasure.org",
            "code": "mL/min",
        },
        "text": ">=60",
    }
    assert set(reference_range("<=5.6", "%")) == {"high", "text"}
    assert reference_range("Negative", "") == {"text": "Negative"}
    assert reference_range("", "") is None
