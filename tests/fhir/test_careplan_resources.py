"""The problem list, care plans, goals and the home list as Condition, CarePlan,
Goal and MedicationStatement: valid R4, parsed by fhirclient, found by the US
Core searches."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from careplans import services
from careplans.fhir import goal_to_fhir, plan_to_fhir, problem_to_fhir
from careplans.models import Problem
from clinic.clock import today
from clinic.fhir_datatypes import ICD10CM, LOINC, RXNORM
from medications import services as medications
from medications.fhir import home_medication_to_fhir
from medications.services import HomeDrug
from tests.careplans.factories import diabetic_plan
from tests.clinic.factories import UserFactory
from tests.fhir.valid import assert_valid
from tests.medications.factories import MedicationFactory, home_stop
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"


@pytest.fixture
def plan():
    clinician = UserFactory(role="Clinician", first_name="Cora", last_name="Plan")
    return diabetic_plan(clinician=clinician)


def test_a_problem_is_a_us_core_problem_list_condition(plan):
    problem = plan.problem
    problem.onset_date = date(2019, 4, 2)
    resource = assert_valid(problem_to_fhir(problem))

    assert resource["category"][0]["coding"][0]["code"] == "problem-list-item"
    assert resource["code"]["coding"] == [
        {
            "system": ICD10CM,
            "code": "E11.9",
            "display": "Type 2 diabetes mellitus without complications",
        }
    ]
    assert resource["clinicalStatus"]["coding"][0]["code"] == "active"
    assert resource["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert resource["onsetDateTime"] == "2019-04-02"
    assert resource["recorder"] == {"display": "Cora Plan"}
    assert "abatementDateTime" not in resource


def test_a_resolved_problem_says_since_when_and_a_merged_one_is_in_error(plan):
    clinician = plan.responsible
    problem = services.problem_resolve(
        problem=plan.problem, actor=clinician, on=date(2026, 1, 5)
    )
    resource = assert_valid(problem_to_fhir(problem))
    assert resource["clinicalStatus"]["coding"][0]["code"] == "resolved"
    assert resource["abatementDateTime"] == "2026-01-05"

    problem.status = Problem.Status.MERGED
    merged = assert_valid(problem_to_fhir(problem))
    assert "clinicalStatus" not in merged
    assert merged["verificationStatus"]["coding"][0]["code"] == "entered-in-error"


def test_a_goal_is_a_us_core_goal_with_its_loinc_target_and_due_date(plan):
    goal = plan.goals.get()
    resource = assert_valid(goal_to_fhir(goal))

    assert resource["lifecycleStatus"] == "active"
    assert resource["description"] == {"text": "HbA1c below 7 %"}
    assert resource["subject"] == {"reference": f"Patient/{plan.patient_id}"}
    assert resource["addresses"] == [{"reference": f"Condition/{plan.problem_id}"}]
    target = resource["target"][0]
    assert target["measure"]["coding"][0]["system"] == LOINC
    assert target["measure"]["coding"][0]["code"] == goal.test.loinc
    assert target["detailQuantity"]["comparator"] == "<"
    assert target["detailQuantity"]["value"] == 7
    assert target["dueDate"] == goal.target_date.isoformat()


def test_a_plan_is_a_us_core_careplan_with_its_narrative_goals_and_activities(plan):
    plan.title = "Sugar <control> & more"
    resource = assert_valid(plan_to_fhir(plan))

    assert (resource["status"], resource["intent"]) == ("active", "plan")
    assert resource["category"][0]["coding"][0]["code"] == "assess-plan"
    assert resource["text"]["status"] == "generated"
    div = resource["text"]["div"]
    assert div.startswith('<div xmlns="http://www.w3.org/1999/xhtml">')
    assert "Sugar &lt;control&gt; &amp; more" in div
    assert "HbA1c below 7 %" in div
    assert resource["addresses"][0]["reference"] == f"Condition/{plan.problem_id}"
    assert resource["goal"] == [
        {"reference": f"Goal/{goal.pk}"} for goal in plan.goals.all()
    ]
    details = [a["detail"] for a in resource["activity"]]
    assert {d["kind"] for d in details} >= {"ServiceRequest", "Appointment"}
    test = next(d for d in details if d["kind"] == "ServiceRequest")
    assert test["status"] == "in-progress"
    assert test["scheduledTiming"]["repeat"] == {
        "frequency": 1,
        "period": 3,
        "periodUnit": "mo",
    }
    assert resource["period"] == {
        "start": plan.start_date.isoformat(),
        "end": plan.review_date.isoformat(),
    }


def _home(patient, **drug):
    nurse = UserFactory(role="Nurse", first_name="Nell", last_name="Intake")
    return medications.home_medication_add(
        patient=patient,
        drug=HomeDrug(dose="500 mg", frequency="twice a day", **drug),
        actor=nurse,
    )


def test_a_home_medication_is_a_medication_statement():
    typed = _home(
        PatientFactory(),
        name="Metformin",
        typed_reason="Brand from abroad",
        prescriber_outside="Dr Away",
        started_on=date(2024, 2, 1),
    )
    resource = assert_valid(home_medication_to_fhir(typed))

    assert resource["status"] == "active"
    assert resource["medicationCodeableConcept"] == {"text": "Metformin"}
    assert resource["dosage"] == [{"text": "500 mg twice a day"}]
    assert resource["effectivePeriod"] == {"start": "2024-02-01"}
    assert resource["informationSource"] == {"display": "Nell Intake"}
    assert resource["note"] == [{"text": "Prescribed by Dr Away"}]

    stocked = _home(typed.patient, medication=MedicationFactory(rxnorm_code="861007"))
    coded = assert_valid(home_medication_to_fhir(stocked))
    assert coded["medicationCodeableConcept"]["coding"] == [
        {"system": RXNORM, "code": "861007"}
    ]


def test_a_stopped_home_medication_is_stopped_with_its_end(make_user):
    home = _home(PatientFactory(), name="Aspirin", typed_reason="Over the counter")
    home_stop(home, make_user("Nurse"), reaction="hives")
    home.refresh_from_db()
    resource = assert_valid(home_medication_to_fhir(home))
    assert resource["status"] == "stopped"
    assert resource["statusReason"] == [{"text": "hives"}]
    assert resource["effectivePeriod"] == {"end": home.stopped_on.isoformat()}


def _ids(api, kind, params) -> list[str]:
    return api.ids(kind, params)


def test_us_core_searches_find_the_patients_problems_plans_and_goals(api, plan):
    other = diabetic_plan()
    patient = f"Patient/{plan.patient_id}"
    resolved = services.problem_add(
        patient=plan.patient,
        code="I10",
        description="Hypertension",
        actor=other.responsible,
    )
    services.problem_resolve(problem=resolved, actor=other.responsible)

    assert _ids(api, "Condition", {"patient": patient}) == [
        str(plan.problem_id),
        str(resolved.pk),
    ]
    assert _ids(
        api,
        "Condition",
        {"patient": patient, "category": f"{CATEGORY}|problem-list-item"},
    ) == [str(plan.problem_id), str(resolved.pk)]
    assert _ids(
        api, "Condition", {"patient": patient, "clinical-status": f"{CLINICAL}|active"}
    ) == [str(plan.problem_id)]
    assert _ids(api, "Condition", {"patient": patient, "code": f"{ICD10CM}|I10"}) == [
        str(resolved.pk)
    ]
    assert (
        _ids(api, "Condition", {"patient": patient, "onset-date": "ge2000-01-01"}) == []
    )  # no onset was given
    assert _ids(
        api,
        "CarePlan",
        {
            "patient": patient,
            "category": "http://hl7.org/fhir/us/core/CodeSystem/careplan-category"
            "|assess-plan",
        },
    ) == [str(plan.pk)]
    goal = plan.goals.get()
    assert _ids(
        api,
        "Goal",
        {
            "patient": patient,
            "lifecycle-status": "active",
            "target-date": f"le{goal.target_date}",
        },
    ) == [str(goal.pk)]
    assert (
        _ids(api, "Goal", {"patient": patient, "lifecycle-status": "cancelled"}) == []
    )


def test_medication_statement_searches_by_patient_and_status(api):
    home = _home(PatientFactory(), name="Aspirin", typed_reason="Over the counter")
    _home(PatientFactory(), name="Aspirin", typed_reason="Over the counter")
    patient = f"Patient/{home.patient_id}"

    assert _ids(api, "MedicationStatement", {"patient": patient}) == [str(home.pk)]
    assert (
        _ids(api, "MedicationStatement", {"patient": patient, "status": "stopped"})
        == []
    )


def test_a_plan_reads_with_versions_and_includes_its_condition(api, plan):
    body = api.json(f"CarePlan/{plan.pk}")
    assert body["meta"]["profile"] == [
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-careplan"
    ]
    version = body["meta"]["versionId"]
    assert api.json(f"CarePlan/{plan.pk}/_history/{version}")["id"] == str(plan.pk)
    bundle = api.json(
        "CarePlan", {"_id": str(plan.pk), "_include": "CarePlan:condition"}
    )
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["CarePlan", "Condition"]


def test_a_bad_search_value_is_a_400_not_a_500(api):
    response = api.get("Condition", {"onset-date": "not-a-date"})
    assert response.status_code == 400
    response = api.get("Goal", {"patient": "Goal/abc"})
    assert response.status_code == 400


def test_the_should_searches_abatement_encounter_and_a_plans_whole_period(api, plan):
    patient = f"Patient/{plan.patient_id}"
    visit = AppointmentFactory(patient=plan.patient, arrived_at=timezone.now())
    resolved = services.problem_add(
        patient=plan.patient,
        code="I10",
        description="Hypertension",
        appointment=visit,
        actor=plan.responsible,
    )
    services.problem_resolve(
        problem=resolved, actor=plan.responsible, on=date(2026, 1, 5)
    )
    body = api.json(f"Condition/{resolved.pk}")
    assert body["encounter"] == {"reference": f"Encounter/{visit.pk}"}

    def conditions(**params):
        return _ids(api, "Condition", {"patient": patient, **params})

    assert conditions(**{"abatement-date": "2026-01-05"}) == [str(resolved.pk)]
    assert conditions(**{"abatement-date": "lt2026-01-05"}) == []
    assert conditions(encounter=f"Encounter/{visit.pk}") == [str(resolved.pk)]

    # The plan runs from today to its review date: found by any day inside it.
    def plans(when):
        return _ids(api, "CarePlan", {"patient": patient, "date": when})

    assert plans(f"ge{today() + timedelta(days=30)}") == [str(plan.pk)]
    assert plans(f"le{today()}") == [str(plan.pk)]
    assert plans(f"lt{today()}") == []
    assert plans(f"gt{plan.review_date}") == []


@pytest.mark.parametrize("kind", ["Condition", "CarePlan", "Goal"])
def test_a_care_record_brings_its_provenance_when_asked(api, plan, kind):
    bundle = api.json(
        kind,
        {"patient": str(plan.patient_id), "_revinclude": "Provenance:target"},
    )
    matched = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "match"]
    targets = [
        e["resource"]["target"][0]["reference"].split("/_history/")[0]
        for e in bundle["entry"]
        if e["search"]["mode"] == "include"
    ]
    assert matched and targets == [f"{kind}/{r['id']}" for r in matched]
