"""The care-plan pages: who may open them, what they show, bad input."""

import pytest
from django.urls import reverse

from careplans.models import CarePlan, Problem
from clinic.models import AccessLog
from medications.models import HomeMedication, ReconciliationDecision
from tests.careplans.factories import diabetic_plan
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import AppointmentTypeFactory

pytestmark = pytest.mark.django_db


def test_the_front_desk_sees_a_review_is_due_but_not_the_plan(client, make_user):
    plan = diabetic_plan(days_ago=180)
    client.force_login(make_user("Front desk"))
    assert client.get(reverse("careplans:plan", args=[plan.pk])).status_code == 403
    problems = reverse("careplans:problems", args=[plan.patient_id])
    assert client.get(problems).status_code == 403
    home = reverse("medications:home-list", args=[plan.patient_id])
    assert client.get(home).status_code == 403
    chart = client.get(reverse("registration:patient-chart", args=[plan.patient_id]))
    html = chart.content.decode()
    assert "Care-plan review due" in html
    assert plan.title not in html and "E11.9" not in html


def test_a_clinician_makes_a_plan_from_a_starter_and_sees_where_it_stands(
    client, make_user
):
    doctor = make_user("Clinician")
    AppointmentTypeFactory(name="Follow-up")
    patient = PatientFactory()
    client.force_login(doctor)
    problems = reverse("careplans:problems", args=[patient.pk])
    response = client.post(
        problems, {"code": "E11.9", "description": "Type 2 diabetes mellitus"}
    )
    assert response.status_code == 302
    problem = Problem.objects.get(patient=patient)
    response = client.post(
        reverse("careplans:plan-create", args=[problem.pk]),
        {"starter": "diabetes", "responsible": doctor.pk, "start_date": "2026-01-05"},
    )
    plan = CarePlan.objects.get(patient=patient)
    assert (
        response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    )
    page = client.get(plan.get_absolute_url())
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    html = page.content.decode()
    assert "Hemoglobin A1c every 3 months" in html and "Overdue" in html
    assert patient.mrn in html  # the banner
    assert AccessLog.objects.filter(user=doctor, patient=patient, what="care plan")


@pytest.mark.parametrize(
    "data, field",
    [
        ({"code": "diabetes", "description": "Diabetes"}, "code"),
        ({"code": "E11.9", "description": ""}, "description"),
        ({"code": "E11.9", "description": "D", "onset_date": "9999-99-99"}, "onset"),
    ],
)
def test_a_bad_problem_is_refused_and_nothing_saved(client, make_user, data, field):
    patient = PatientFactory()
    client.force_login(make_user("Clinician"))
    response = client.post(reverse("careplans:problems", args=[patient.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Problem.objects.count() == 0


def test_a_bad_plan_form_and_unknown_records_never_give_a_server_error(
    client, make_user
):
    plan = diabetic_plan()
    client.force_login(make_user("Clinician"))
    response = client.post(
        reverse("careplans:plan-create", args=[plan.problem_id]),
        {"starter": "nope", "responsible": "x", "start_date": "yesterday"},
    )
    assert response.status_code == 200 and CarePlan.objects.count() == 1
    response = client.post(plan.get_absolute_url(), {"review_date": "", "status": "?"})
    assert response.status_code == 200
    assert client.get(reverse("careplans:plan", args=[99999])).status_code == 404


def test_the_nurse_reviews_the_home_list_on_its_page(client, make_user):
    nurse = make_user("Nurse")
    patient = PatientFactory()
    client.force_login(nurse)
    home_url = reverse("medications:home-list", args=[patient.pk])
    bad = client.post(home_url, {"dose": "1", "frequency": "daily"})
    assert bad.status_code == 200 and HomeMedication.objects.count() == 0
    client.post(
        home_url,
        {
            "name": "Metformin",
            "typed_reason": "Not stocked",
            "dose": "500 mg",
            "frequency": "twice a day",
        },
    )
    home = HomeMedication.objects.get(patient=patient)
    client.post(reverse("medications:review-start", args=[patient.pk]))
    client.post(
        reverse("medications:review-decide", args=[home.pk]), {"decision": "kept"}
    )
    client.post(reverse("medications:review-complete", args=[patient.pk]))
    decision = ReconciliationDecision.objects.get()
    assert (decision.decision, decision.decided_by) == ("kept", nurse)
    page = client.get(home_url).content.decode()
    assert "Last reviewed with the patient" in page


def test_an_activity_or_a_contact_with_bad_input_is_refused(client, make_user):
    plan = diabetic_plan()
    client.force_login(make_user("Clinician"))
    before = plan.activities.count()
    url = reverse("careplans:activity-create", args=[plan.pk])
    response = client.post(url, {"kind": "test", "every": "3", "unit": "months"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"test": ["Choose the test."]}
    response = client.post(url, {"kind": "visit", "every": "0", "unit": "fortnight"})
    assert response.status_code == 200 and plan.activities.count() == before
    education = plan.activities.get(kind="education")
    response = client.post(
        reverse("careplans:education-record", args=[education.pk]),
        {"topic": "Foot care", "done_on": "2199-01-01"},
    )
    assert response.context["form"].errors == {
        "done_on": ["The contact cannot be in the future."]
    }
    test = plan.activities.get(kind="test")
    assert (
        client.get(reverse("careplans:education-record", args=[test.pk])).status_code
        == 404
    )


def test_a_bad_review_decision_changes_nothing(client, make_user):
    nurse = make_user("Nurse")
    patient = PatientFactory()
    client.force_login(nurse)
    client.post(
        reverse("medications:home-list", args=[patient.pk]),
        {
            "name": "Aspirin",
            "typed_reason": "OTC",
            "dose": "81 mg",
            "frequency": "daily",
        },
    )
    home = HomeMedication.objects.get()
    decide = reverse("medications:review-decide", args=[home.pk])
    response = client.post(decide, {"decision": "kept"})  # no review started
    assert response.status_code == 302
    client.post(reverse("medications:review-start", args=[patient.pk]))
    response = client.post(
        decide, {"decision": "changed", "dose": "81 mg"}, follow=True
    )
    assert (
        "Give the new dose or how often: nothing changed." in response.content.decode()
    )
    client.post(decide, {"decision": "gone"})
    assert ReconciliationDecision.objects.count() == 0
    home.refresh_from_db()
    assert (home.dose, home.status) == ("81 mg", "active")
