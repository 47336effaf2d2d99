from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from clinic.exceptions import ApplicationError
from clinic.models import AccessLog
from registration.models import Allergy, Patient
from registration.services import allergy_add, allergy_mark_no_known
from tests.registration.factories import (
    AllergyFactory,
    CoverageFactory,
    EligibilityCheckFactory,
    PatientFactory,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _chart(client, patient):
    return client.get(reverse("registration:patient-chart", args=[patient.pk]))


def test_opening_the_chart_writes_one_access_log_row(client, make_user):
    nurse = make_user("Nurse")
    client.force_login(nurse)
    patient = PatientFactory(given_name="Ada", family_name="Byron")
    response = _chart(client, patient)
    assert response.status_code == 200
    row = AccessLog.objects.get()
    assert (row.user, row.patient, row.what, row.action) == (
        nurse,
        patient,
        "chart",
        "view",
    )


def test_chart_header_and_panels(client, make_user):
    client.force_login(make_user("Front desk"))
    patient = PatientFactory(birth_date=date(1980, 3, 7))
    body = _chart(client, patient).content.decode()
    assert patient.mrn in body and "1980-03-07" in body
    assert "Allergies not yet asked" in body
    for key in ("claims",):
        start = body.index(f'id="panel-{key}"')
        assert "None yet." in body[start : start + 600], key
    start = body.index('id="panel-messages"')
    assert "No messages yet." in body[start : start + 800]
    assert 'id="panel-medications"' not in body  # not for the front desk
    assert 'id="panel-history"' in body and 'id="panel-demographics"' in body


def test_severe_allergy_banner_is_red(client, make_user):
    client.force_login(make_user("Clinician"))
    patient = PatientFactory()
    AllergyFactory(patient=patient, substance="Peanuts", severity="life")
    body = _chart(client, patient).content.decode()
    banner = body[
        body.index('id="allergy-banner"') - 80 : body.index('id="allergy-banner"')
    ]
    assert "alert-danger" in banner and "Peanuts" in body


def test_no_known_allergies_is_not_the_same_as_not_asked(make_user):
    patient = PatientFactory()
    assert patient.allergy_review == Patient.AllergyReview.NOT_ASKED
    allergy_mark_no_known(patient=patient, actor=make_user("Nurse"))
    assert patient.allergy_review == Patient.AllergyReview.NO_KNOWN
    allergy_add(
        patient=patient,
        data={"substance": "Latex", "reaction": "Rash", "severity": "mild"},
        actor=None,
    )
    patient.refresh_from_db()
    assert patient.allergy_review == Patient.AllergyReview.RECORDED
    with pytest.raises(ApplicationError, match="active allergies"):
        allergy_mark_no_known(patient=patient, actor=None)


def test_nurse_records_an_allergy_and_billing_cannot(client, make_user):
    patient = PatientFactory()
    url = reverse("registration:allergy-create", args=[patient.pk])
    client.force_login(make_user("Billing"))
    assert client.post(url, {"substance": "Codeine"}).status_code == 403
    nurse = make_user("Nurse")
    client.force_login(nurse)
    response = client.post(
        url,
        {"substance": "Codeine", "rxnorm_code": "2670", "severity": "severe"},
    )
    assert response.status_code == 302
    allergy = Allergy.objects.get()
    assert (allergy.recorded_by, allergy.severity) == (nurse, "severe")
    bad = client.post(url, {"substance": "X", "rxnorm_code": "abc", "severity": "mild"})
    assert "digits only" in str(bad.context["form"].errors["rxnorm_code"])


def test_chart_query_count_does_not_grow_with_the_record(
    client, make_user, django_assert_max_num_queries
):
    client.force_login(make_user("Front desk"))
    from datetime import timedelta

    from tests.scheduling.factories import AppointmentFactory, ProviderFactory

    small, large = PatientFactory(), PatientFactory()
    provider = ProviderFactory()
    AppointmentFactory(patient=small)
    coverage = CoverageFactory(patient=small)
    AllergyFactory(patient=small)
    EligibilityCheckFactory(coverage=coverage, result="active")
    _chart(client, small)  # warm caches (session, permissions, content types)
    with django_assert_max_num_queries(40) as baseline:
        _chart(client, small)
    for _index in range(20):
        coverage = CoverageFactory(patient=large)
        EligibilityCheckFactory.create_batch(10, coverage=coverage, result="active")
    AllergyFactory.create_batch(200, patient=large)
    first = AppointmentFactory(patient=large, provider=provider).start
    for index in range(1, 200):  # 200 appointments, past and future
        AppointmentFactory(
            patient=large,
            provider=provider,
            start=first + timedelta(days=index - 100, hours=1),
        )
    for index in range(200):
        large.preferred_name = f"P{index}"
        large.save()  # 200 history rows
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = _chart(client, large)
    assert response.status_code == 200


def test_card_image_is_served_to_staff_with_an_access_log_row(client, make_user):
    coverage = CoverageFactory()
    coverage.card_front.save("front.png", ContentFile(PNG))
    url = reverse("registration:coverage-card", args=[coverage.pk, "front"])
    assert client.get(url).status_code == 302  # to log-in
    client.force_login(make_user("Billing"))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PNG
    row = AccessLog.objects.get()
    assert (row.patient_id, row.action, row.what) == (
        coverage.patient_id,
        "download",
        "insurance card front",
    )
    missing = reverse("registration:coverage-card", args=[coverage.pk, "back"])
    assert client.get(missing).status_code == 404


def test_allergy_entered_in_error_leaves_the_banner_with_its_reason(client, make_user):
    client.force_login(make_user("Nurse"))
    allergy = AllergyFactory(substance="Sulfa")
    url = reverse("registration:allergy-status", args=[allergy.pk])
    refused = client.post(url, {"status": "error", "reason": ""})
    assert refused.status_code == 302
    allergy.refresh_from_db()
    assert allergy.status == "active"
    client.post(url, {"status": "error", "reason": "wrong patient"})
    allergy.refresh_from_db()
    assert allergy.status == "error"
    assert allergy.history.first().history_change_reason == "wrong patient"
    body = _chart(client, allergy.patient).content.decode()
    assert 'id="allergy-list"' not in body
    assert "Allergies not yet asked" in body
