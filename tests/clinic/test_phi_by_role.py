"""A page never shows more than the record's own page would to that role; every
look at a patient's data is logged; nothing a logged-in user sees is stored by a
cache (issue #15, F4, F6, F7)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from alerts.models import StaffAlert
from alerts.services import alert_raise
from clinic.mixins import AdminAccessLogMixin
from clinic.models import AccessLog
from clinic.permissions import ROLE_PERMISSIONS, ROLES, VIEW_RESULTS
from diagnostics import services as diagnostics_services
from diagnostics.chart_panel import chart_panel
from diagnostics.models import TestDefinition
from registration.models import Patient
from tests.diagnostics.factories import make_order
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db

RESULT_ROLES = {"Nurse", "Clinician", "Administrator"}


@pytest.fixture
def resulted(make_user):
    """A potassium of 6.5 (critical) and a sodium, with a review note; the
    critical result raised an alert to the ordering clinician."""
    doctor = make_user("Clinician")
    order = make_order(actor=doctor, panels=(), tests=("K", "NA"))
    diagnostics_services.specimen_collect(
        order=order, specimen_types=["serum"], actor=make_user("Nurse")
    )
    diagnostics_services.results_enter(
        order=order,
        values={
            TestDefinition.objects.get(code="K"): "6.5",
            TestDefinition.objects.get(code="NA"): "139",
        },
        actor=doctor,
    )
    return order


def test_only_nurses_clinicians_and_administrators_hold_view_results():
    holders = {role for role in ROLES if VIEW_RESULTS in ROLE_PERMISSIONS[role]}
    assert holders == RESULT_ROLES


def test_the_order_page_shows_values_only_to_roles_that_see_results(
    client, make_user, resulted
):
    url = reverse("diagnostics:order-detail", args=[resulted.pk])
    for role in ROLES:
        user = make_user(role)
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, role
        body = response.content.decode()
        assert resulted.accession in body
        shows = role in RESULT_ROLES
        assert ("6.5" in body) is shows, role
        assert ('id="result-table"' in body) is shows, role
        assert ('id="results-not-shown"' in body) is not shows, role
        assert (reverse("diagnostics:report-pdf", args=[resulted.pk]) in body) is (
            shows
        ), role
        assert AccessLog.objects.filter(user=user, patient=resulted.patient).exists()


def test_the_result_report_pdf_needs_view_results(client, make_user, resulted):
    url = reverse("diagnostics:report-pdf", args=[resulted.pk])
    for role in ROLES:
        client.force_login(make_user(role))
        response = client.get(url)
        assert response.status_code == (200 if role in RESULT_ROLES else 403), role
        if role in RESULT_ROLES:
            assert response["Content-Type"] == "application/pdf"


def test_chart_trends_and_abnormal_counts_only_for_roles_that_see_results(
    make_user, resulted
):
    # A second potassium makes a trend.
    again = make_order(patient=resulted.patient, panels=(), tests=("K",))
    diagnostics_services.results_enter(
        order=again,
        values={again.items.get().test: "4.1"},
        actor=make_user("Clinician"),
    )
    for role in ROLES:
        panel = chart_panel(patient=resulted.patient, user=make_user(role))
        assert panel["can_view"] is True
        shows = role in RESULT_ROLES
        assert panel["can_view_results"] is shows, role
        assert bool(panel["trends"]) is shows, role
        counts = [order.abnormal_count for order in panel["orders"]]
        assert (sum(counts) > 0) is shows, role


def test_chart_header_alerts_follow_the_role(client, make_user, resulted):
    patient = resulted.patient
    alert_raise(
        kind="dose_overdue",
        title="Overdue: vancomycin 1 g",
        role="Nurse",
        patient=patient,
    )
    alert_raise(
        kind="task", title="Call about the copay", role="Front desk", patient=patient
    )
    alert_raise(
        kind="claim_denied",
        title="Claim denied: CO-50",
        role="Billing",
        patient=patient,
    )
    url = reverse("registration:patient-chart", args=[patient.pk])
    seen = {}
    for role in ROLES:
        client.force_login(make_user(role))
        response = client.get(url)
        assert response.status_code == 200
        seen[role] = set(response.context["open_alerts"])
    critical = set(
        StaffAlert.objects.filter(
            kind__in=["critical_result", "result_to_review"]
        ).values_list("title", flat=True)
    )
    assert critical  # the critical result raised its alerts
    assert seen["Front desk"] == {"Call about the copay"}
    assert seen["Billing"] == {"Claim denied: CO-50"}
    assert seen["Nurse"] == critical | {"Overdue: vancomycin 1 g"}
    assert seen["Clinician"] == critical | {"Overdue: vancomycin 1 g"}
    assert seen["Administrator"] == critical | {
        "Overdue: vancomycin 1 g",
        "Claim denied: CO-50",
    }


def test_an_alerts_history_is_for_whom_the_alert_is_for(client, make_user):
    alert = alert_raise(
        kind="critical_result",
        title="Critical potassium 6.9",
        role="Clinician",
        patient=PatientFactory(),
    )
    url = reverse(
        "clinic:history",
        kwargs={"app_label": "alerts", "model_name": "staffalert", "pk": alert.pk},
    )
    for role in ROLES:
        client.force_login(make_user(role))
        response = client.get(url)
        assert response.status_code == (200 if role == "Clinician" else 403), role
        assert "Critical potassium" not in response.content.decode() or (
            role == "Clinician"
        )
    client.force_login(make_user("Nurse"))
    missing = url.replace(f"/{alert.pk}/", "/999999/")
    assert client.get(missing).status_code == 404


def test_result_histories_need_view_results(client, make_user, resulted):
    observation = resulted.observations.get(test__code="K")
    urls = [
        reverse(
            "clinic:history",
            kwargs={
                "app_label": "diagnostics",
                "model_name": name,
                "pk": pk,
            },
        )
        for name, pk in (
            ("observation", observation.pk),
            ("diagnosticorder", resulted.pk),
        )
    ]
    for role in ROLES:
        user = make_user(role)
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            expected = 200 if role in RESULT_ROLES else 403
            assert response.status_code == expected, (role, url)
        if role in RESULT_ROLES:
            assert (
                AccessLog.objects.filter(
                    user=user, patient=resulted.patient, what="history"
                ).count()
                == 2
            )


def test_a_search_is_logged_with_what_was_searched(client, make_user):
    patient = PatientFactory(family_name="Quist")
    clerk = make_user("Front desk")
    client.force_login(clerk)
    assert client.get(reverse("registration:patient-list")).status_code == 200
    assert not AccessLog.objects.filter(user=clerk).exists()  # nothing shown
    response = client.get(reverse("registration:patient-list"), {"q": "quist"})
    assert patient.mrn in response.content.decode()
    suggest = client.get(
        reverse("registration:patient-list"),
        {"q": "quis", "suggest": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert suggest.status_code == 200
    assert list(
        AccessLog.objects.filter(user=clerk)
        .order_by("id")
        .values_list("what", flat=True)
    ) == ["patient search: quist", "patient search: quis"]


def test_the_edit_form_the_inbox_and_the_exceptions_list_are_logged(client, make_user):
    patient = PatientFactory()
    clerk = make_user("Front desk")
    client.force_login(clerk)
    client.get(reverse("registration:patient-edit", args=[patient.pk]))
    client.get(reverse("alerts:inbox"))
    rows = list(AccessLog.objects.filter(user=clerk).order_by("id"))
    assert [(row.patient, row.what) for row in rows] == [
        (patient, "edit demographics"),
        (None, "/alerts/"),
    ]
    biller = make_user("Billing")
    client.force_login(biller)
    client.get(reverse("billing:exception-list"))
    assert AccessLog.objects.filter(user=biller, what="/billing/exceptions/").exists()


def _reaches_patient(model, depth=2) -> bool:
    if model is Patient:
        return True
    if depth == 0:
        return False
    return any(
        field.many_to_one and _reaches_patient(field.related_model, depth - 1)
        for field in model._meta.get_fields()
        if getattr(field, "related_model", None) is not None and field.concrete
    )


def test_every_admin_over_patient_records_logs_its_looks():
    missing = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if _reaches_patient(model) and not isinstance(model_admin, AdminAccessLogMixin)
    ]
    assert missing == []


def test_the_admins_patient_pages_write_access_log_rows(client, make_user):
    patient = PatientFactory()
    administrator = make_user("Administrator")
    client.force_login(administrator)
    pages = [
        (reverse("admin:registration_patient_changelist") + "?q=smith", None),
        (reverse("admin:registration_patient_change", args=[patient.pk]), patient),
        (reverse("admin:registration_patient_history", args=[patient.pk]), patient),
    ]
    for url, who in pages:
        before = AccessLog.objects.filter(user=administrator).count()
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"]
        rows = AccessLog.objects.filter(user=administrator).order_by("id")
        assert rows.count() == before + 1, url
        assert rows.last().patient == who, url
    assert rows.first().what == "admin list /admin/registration/patient/?q=smith"
    missing = reverse("admin:registration_patient_change", args=[999999])
    before = AccessLog.objects.count()
    assert client.get(missing).status_code == 302  # the admin's "does not exist"
    assert AccessLog.objects.count() == before


def test_no_store_for_logged_in_users_healthz_and_anonymous_pages_as_they_were(
    client, make_user
):
    anonymous_health = client.get(reverse("clinic:healthz"))
    client.force_login(make_user("Nurse"))
    health = client.get(reverse("clinic:healthz"))
    assert health["Cache-Control"] == anonymous_health["Cache-Control"]
    assert "no-store" in health["Cache-Control"]
    for url in (
        reverse("clinic:home"),
        reverse("registration:patient-chart", args=[PatientFactory().pk]),
        reverse("registration:patient-chart", args=[999999]),  # 404
        reverse("clinic:staff-list"),  # 403
    ):
        response = client.get(url)
        assert response["Cache-Control"] == "no-store, private", url
        assert not response.has_header("Expires"), url
