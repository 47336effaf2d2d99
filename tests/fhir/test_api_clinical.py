"""MedicationRequest, MedicationAdministration, ServiceRequest, Observation,
DiagnosticReport, Communication and Task through the HTTP layer: read with its
version and profile, the US Core searches, includes, history, access log."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import StaffAlert
from alerts.services import alert_raise, notification_create
from clinic.models import AccessLog
from clinic.permissions import ADMINISTRATOR, NURSE
from diagnostics import services as lab
from diagnostics.models import TestDefinition
from medications import services as meds
from medications.models import ScheduledDose
from tests.alerts.factories import ReminderRuleFactory
from tests.diagnostics.factories import make_order
from tests.fhir.valid import assert_valid
from tests.medications.factories import MedicationOrderFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import ProviderFactory

pytestmark = pytest.mark.django_db
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"


def ids(api, path, params) -> list[str]:
    bundle = assert_valid(api.json(path, params))
    return [
        e["resource"]["id"]
        for e in bundle.get("entry", [])
        if e["search"]["mode"] == "match"
    ]


def _results(order, actor, status="F", **values):
    tests = {TestDefinition.objects.get(code=c): raw for c, raw in values.items()}
    return lab.results_enter(order=order, values=tests, status=status, actor=actor)


def test_medication_requests_and_administrations(api, make_user):
    nurse = make_user("Nurse")
    active = MedicationOrderFactory(medication__rxnorm_code="197361")
    patient = active.patient
    held = MedicationOrderFactory(patient=patient)
    meds.order_hold(order=held, actor=make_user("Clinician"), reason="NPO")
    other = MedicationOrderFactory()

    body = assert_valid(api.json(f"MedicationRequest/{active.pk}"))
    assert body["meta"]["profile"] == [US_CORE + "us-core-medicationrequest"]
    assert body["meta"]["versionId"] == str(active.history.latest().history_id)
    assert AccessLog.objects.filter(patient=patient).exists()

    mine = {"patient": f"Patient/{patient.pk}"}
    assert sorted(ids(api, "MedicationRequest", mine)) == sorted(
        [str(active.pk), str(held.pk)]
    )
    assert ids(
        api, "MedicationRequest", {**mine, "intent": "order", "status": "on-hold"}
    ) == [str(held.pk)]
    assert ids(api, "MedicationRequest", {**mine, "intent": "plan"}) == []
    assert ids(api, "MedicationRequest", {"status": "active"}) == sorted(
        [str(active.pk), str(other.pk)], key=int
    )
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert ids(api, "MedicationRequest", {**mine, "authoredon": f"ge{tomorrow}"}) == []
    included = api.json(
        "MedicationRequest",
        {"_id": str(active.pk), "_include": "MedicationRequest:patient"},
    )
    assert [e["resource"]["resourceType"] for e in included["entry"]] == [
        "MedicationRequest",
        "Patient",
    ]

    due, held_dose, later = (
        ScheduledDose.objects.create(
            order=active, due_at=timezone.now() + timedelta(hours=h)
        )
        for h in (0, 1, 2)
    )
    meds.dose_hold(dose=held_dose, actor=nurse, reason="Asleep")
    api.json(f"MedicationAdministration/{later.pk}", status=404)  # not an event yet
    body = assert_valid(api.json(f"MedicationAdministration/{held_dose.pk}"))
    assert body["status"] == "not-done"
    assert "profile" not in body["meta"]
    admin = {"patient": str(patient.pk), "status": "not-done"}
    assert ids(api, "MedicationAdministration", admin) == [str(held_dose.pk)]
    today = timezone.localdate().isoformat()
    assert ids(api, "MedicationAdministration", {**admin, "effective-time": today}) == [
        str(held_dose.pk)
    ]
    assert ids(api, "MedicationAdministration", {"status": "completed"}) == []
    history = assert_valid(
        api.json(f"MedicationAdministration/{held_dose.pk}/_history")
    )
    assert sorted(e["resource"]["status"] for e in history["entry"]) == [
        "not-done",
        "unknown",
    ]


def test_lab_orders_results_and_reports(api, make_user):
    nurse = make_user("Nurse")
    patient = PatientFactory()
    cbc = make_order(patient=patient, panels=("CBC",))
    potassium_order = make_order(patient=patient, panels=(), tests=("K",))
    cancelled = make_order(patient=patient, panels=("LIPID",))
    lab.order_cancel(
        order=cancelled, reason="Duplicate", actor=cancelled.ordering_clinician
    )
    [potassium] = _results(potassium_order, nurse, K="2.1")
    _results(potassium_order, nurse, status="C", K="4.0")

    mine = {"patient": f"Patient/{patient.pk}"}
    assert ids(api, "ServiceRequest", {**mine, "status": "revoked"}) == [
        str(cancelled.pk)
    ]
    lab_category = "http://snomed.info/sct|108252007"
    assert len(ids(api, "ServiceRequest", {**mine, "category": lab_category})) == 3
    # A test of the CBC panel finds the CBC order; the panel's code too.
    assert ids(api, "ServiceRequest", {**mine, "code": "718-7"}) == [str(cbc.pk)]
    assert ids(api, "ServiceRequest", {**mine, "code": "http://loinc.org|58410-2"}) == [
        str(cbc.pk)
    ]
    assert ids(api, "ServiceRequest", {**mine, "authored": "ge2000-01-01"}) != []

    body = assert_valid(api.json(f"Observation/{potassium.pk}"))
    assert body["meta"]["profile"] == [US_CORE + "us-core-observation-lab"]
    assert (body["status"], body["valueQuantity"]["value"]) == ("corrected", 4)
    today = timezone.localdate().isoformat()
    combo = {**mine, "category": "laboratory", "date": today}
    assert ids(api, "Observation", combo) == [str(potassium.pk)]
    assert ids(api, "Observation", {**mine, "category": "vital-signs"}) == []
    assert ids(
        api,
        "Observation",
        {**mine, "code": "http://loinc.org|2823-3", "status": "corrected"},
    ) == [str(potassium.pk)]
    assert ids(api, "Observation", {**mine, "status": "final"}) == []
    versions = assert_valid(api.json(f"Observation/{potassium.pk}/_history"))
    values = sorted(e["resource"]["valueQuantity"]["value"] for e in versions["entry"])
    assert values == [2.1, 4]

    api.json(f"DiagnosticReport/{cbc.pk}", status=404)  # no results yet
    report = assert_valid(api.json(f"DiagnosticReport/{potassium_order.pk}"))
    assert report["meta"]["profile"] == [US_CORE + "us-core-diagnosticreport-lab"]
    assert report["result"] == [{"reference": f"Observation/{potassium.pk}"}]
    search = {**mine, "category": "LAB", "code": "2823-3", "date": f"le{today}"}
    assert ids(api, "DiagnosticReport", search) == [str(potassium_order.pk)]
    assert ids(api, "DiagnosticReport", {**mine, "status": "corrected"}) == [
        str(potassium_order.pk)
    ]
    assert ids(api, "DiagnosticReport", {**mine, "status": "final"}) == []


def test_messages_and_tasks(api, make_user):
    patient = PatientFactory(phone_mobile="+15555550123")
    sent = notification_create(
        patient=patient,
        channel="sms",
        body="See you at 9.",
        scheduled_for=timezone.now(),
    )
    sent.status, sent.sent_at = "delivered", timezone.now()
    sent.save()
    reminder = notification_create(
        patient=patient,
        channel="email",
        body="Reminder",
        scheduled_for=timezone.now(),
        rule=ReminderRuleFactory(),
    )
    body = assert_valid(api.json(f"Communication/{sent.pk}"))
    assert body["payload"] == [{"contentString": "See you at 9."}]
    mine = {"subject": f"Patient/{patient.pk}"}
    assert ids(api, "Communication", {**mine, "status": "completed"}) == [str(sent.pk)]
    assert ids(api, "Communication", {**mine, "category": "reminder"}) == [
        str(reminder.pk)
    ]
    assert ids(
        api, "Communication", {"patient": str(patient.pk), "sent": "ge2000"}
    ) == [str(sent.pk)]
    assert ids(api, "Communication", {**mine, "category": "alert"}) == []

    nurse = make_user("Nurse")
    task = alert_raise(kind="task", title="Call back", patient=patient, user=nurse)
    alert_raise(kind="task", title="Stock check", role=NURSE)
    alert_raise(kind="password_spraying", title="Log-ins", role=ADMINISTRATOR)
    provider = ProviderFactory(user=nurse)
    assert ids(api, "Task", {"owner": f"Practitioner/{provider.pk}"}) == [str(task.pk)]
    owner = api.json(f"Task/{task.pk}")["owner"]
    assert owner["reference"] == f"Practitioner/{provider.pk}"
    assert ids(api, "Task", {"patient": str(patient.pk), "status": "requested"}) == [
        str(task.pk)
    ]
    assert (
        len(ids(api, "Task", {"_lastUpdated": "ge2000-01-01"})) == 2
    )  # no security alerts
    spraying = StaffAlert.objects.get(kind="password_spraying")
    api.json(f"Task/{spraying.pk}", status=404)


def test_metadata_declares_the_clinical_types_and_their_searches(anonymous_api):
    body = anonymous_api.json("metadata")
    resources = {r["type"]: r for r in body["rest"][0]["resource"]}
    expected = {
        "MedicationRequest": {"patient", "status", "intent", "authoredon"},
        "MedicationAdministration": {"patient", "status", "effective-time"},
        "ServiceRequest": {"patient", "status", "category", "code", "authored"},
        "Observation": {"patient", "status", "category", "code", "date"},
        "DiagnosticReport": {"patient", "status", "category", "code", "date"},
        "Communication": {"patient", "subject", "status", "category", "sent"},
        "Task": {"patient", "owner", "status"},
    }
    for name, params in expected.items():
        declared = {p["name"] for p in resources[name]["searchParam"]}
        assert params | {"_id", "_lastUpdated"} <= declared, name


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("Observation", {"date": "yesterday"}),
        ("Observation", {"patient": "Practitioner/1"}),
        ("MedicationAdministration", {"effective-time": "2026-13-01"}),
        ("ServiceRequest", {"status:missing": "true"}),
    ],
)
def test_bad_search_values_are_400_operation_outcomes(api, path, params):
    body = api.json(path, params, status=400)
    assert body["resourceType"] == "OperationOutcome"


def test_odd_but_wellformed_values_find_nothing(api):
    MedicationOrderFactory()
    make_order()
    assert ids(api, "MedicationRequest", {"status": "' OR 1=1 --"}) == []
    assert ids(api, "ServiceRequest", {"code": "x'); DROP TABLE x;--"}) == []
    assert ids(api, "Task", {"code": "urn:other|task"}) == []
