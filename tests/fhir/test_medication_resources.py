"""Medication orders and doses as MedicationRequest and MedicationAdministration."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.fhir_datatypes import practitioner
from medications import services
from medications.fhir import dose_to_fhir, medication_order_to_fhir
from medications.models import MedicationOrder, ScheduledDose
from medications.services import Bedside
from tests.clinic.factories import PASSWORD, UserFactory
from tests.fhir.valid import assert_valid
from tests.medications.factories import MedicationFactory, MedicationOrderFactory
from tests.scheduling.factories import ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    return MedicationOrderFactory(
        medication=MedicationFactory(
            name="Cefazolin", rxnorm_code="1665005", routes=["IV"], unit="g"
        ),
        patient__mrn="M0000042",
        dose=Decimal("1"),
        dose_unit="g",
        route="IV",
        indication="Cellulitis",
        ordered_by__first_name="Ada",
        ordered_by__last_name="Order",
    )


def _dose(order, **fields):
    return ScheduledDose.objects.create(order=order, due_at=timezone.now(), **fields)


def test_an_order_is_a_us_core_medication_request(order):
    resource = assert_valid(medication_order_to_fhir(order))

    assert (resource["status"], resource["intent"]) == ("active", "order")
    assert resource["reportedBoolean"] is False
    assert resource["medicationCodeableConcept"]["coding"] == [
        {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1665005"}
    ]
    assert resource["subject"] == {"reference": f"Patient/{order.patient_id}"}
    assert resource["requester"] == {"display": "Ada Order"}  # not a provider
    provider = ProviderFactory(user=order.ordered_by)
    order.ordered_by.refresh_from_db()  # forget "no provider"
    assert medication_order_to_fhir(order)["requester"] == {
        "reference": f"Practitioner/{provider.pk}",
        "display": "Ada Order",
    }
    dosage = resource["dosageInstruction"][0]
    assert dosage["timing"]["repeat"]["period"] == 8
    assert dosage["route"]["coding"][0]["code"] == "47625008"
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 1
    assert resource["reasonCode"] == [{"text": "Cellulitis"}]


@pytest.mark.parametrize(
    ("status", "fhir_status"),
    [("held", "on-hold"), ("discontinued", "stopped"), ("completed", "completed")],
)
def test_order_status_maps_with_its_reason(order, status, fhir_status):
    order.status, order.status_reason = status, "Creatinine rising"
    resource = assert_valid(medication_order_to_fhir(order))
    assert resource["status"] == fhir_status
    assert resource["statusReason"] == {"text": "Creatinine rising"}


def test_prn_and_fixed_time_orders_and_a_drug_without_rxnorm():
    prn = MedicationOrderFactory(
        frequency=MedicationOrder.Frequency.PRN,
        interval_hours=None,
        prn_min_interval_hours=Decimal("4"),
        prn_max_per_24h=4,
        medication__rxnorm_code="",
        dose_unit="tablet",
    )
    resource = assert_valid(medication_order_to_fhir(prn))
    dosage = resource["dosageInstruction"][0]
    assert dosage["asNeededBoolean"] is True
    assert dosage["maxDosePerPeriod"]["numerator"]["value"] == 4
    assert dosage["doseAndRate"][0]["doseQuantity"]["code"] == "{tbl}"
    assert "coding" not in resource["medicationCodeableConcept"]
    assert resource["medicationCodeableConcept"]["text"].startswith("Testamycin")

    fixed = MedicationOrderFactory(
        frequency=MedicationOrder.Frequency.TIMES,
        interval_hours=None,
        times_of_day=["08:00", "20:00"],
        end_at=timezone.now() + timedelta(days=3),
    )
    repeat = assert_valid(medication_order_to_fhir(fixed))["dosageInstruction"][0][
        "timing"
    ]["repeat"]
    assert repeat["timeOfDay"] == ["08:00:00", "20:00:00"]
    assert set(repeat["boundsPeriod"]) == {"start", "end"}


def test_a_given_dose_is_completed_with_its_nurse_witness_and_amount(order):
    nurse = UserFactory(role="Nurse", first_name="Nora", last_name="Bedside")
    witness = UserFactory(role="Nurse", username="wit", password=PASSWORD)
    order.medication.is_high_alert = True
    order.medication.barcode = "00409123401"
    order.medication.save()
    dose = _dose(order)
    entry = Bedside("M0000042", "00409123401", "1", "g", "IV", site="left forearm")
    entry.witness_username, entry.witness_password = "wit", PASSWORD
    services.dose_administer(dose=dose, entry=entry, actor=nurse)
    dose.refresh_from_db()

    resource = assert_valid(dose_to_fhir(dose))

    assert resource["status"] == "completed"
    assert "statusReason" not in resource
    assert resource["request"] == {"reference": f"MedicationRequest/{order.pk}"}
    assert [p["actor"] for p in resource["performer"]] == [
        {"display": "Nora Bedside"},
        practitioner(witness),
    ]
    assert resource["performer"][1]["function"]["coding"][0]["code"] == "witness"
    assert resource["dosage"]["dose"] == {
        "value": 1,
        "unit": "g",
        "system": "http://unitsofmeasure.org",
        "code": "g",
    }
    assert resource["dosage"]["site"] == {"text": "left forearm"}


@pytest.mark.parametrize("verb", ["dose_hold", "dose_refuse"])
def test_a_held_or_refused_dose_is_not_done_with_the_reason(order, verb):
    nurse = UserFactory(role="Nurse")
    dose = getattr(services, verb)(dose=_dose(order), actor=nurse, reason="Systolic 82")

    resource = assert_valid(dose_to_fhir(dose))

    assert resource["status"] == "not-done"
    assert resource["statusReason"][0]["coding"][0]["code"] == dose.status
    assert resource["statusReason"][0]["text"] == "Systolic 82"
    assert resource["performer"] == [{"actor": practitioner(nurse)}]
    assert resource["effectiveDateTime"]
    assert "dosage" not in resource
