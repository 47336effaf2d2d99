"""A visit's diagnosis goes on the problem list from the visit's charges page."""

import pytest
from django.urls import reverse

from careplans.models import Problem
from tests.billing.factories import completed_visit

pytestmark = pytest.mark.django_db


def test_a_clinician_adds_a_visits_diagnosis_to_the_problem_list_once(
    client, make_user
):
    visit = completed_visit()
    diagnosis = visit.diagnoses.get()
    doctor = make_user("Clinician")
    client.force_login(doctor)
    url = reverse("billing:diagnosis-to-problem", args=[diagnosis.pk])
    assert client.post(url).status_code == 302
    problem = Problem.objects.get(patient=visit.patient)
    assert (problem.code, problem.appointment, problem.recorded_by) == (
        diagnosis.code,
        visit,
        doctor,
    )
    assert problem.description == diagnosis.words
    page = client.get(reverse("billing:visit-charges", args=[visit.pk]))
    assert "on the problem list" in page.content.decode()
    client.post(url)  # again: refused with a message, nothing added
    assert Problem.objects.filter(patient=visit.patient).count() == 1


def test_billing_cannot_put_a_diagnosis_on_the_problem_list(client, make_user):
    visit = completed_visit()
    client.force_login(make_user("Billing"))
    url = reverse("billing:diagnosis-to-problem", args=[visit.diagnoses.get().pk])
    assert client.post(url).status_code == 403
    assert Problem.objects.count() == 0
