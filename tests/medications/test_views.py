"""The MAR pages' wiring: permissions, messages, access log, query budget."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import AccessLog
from medications import allergies
from medications.chart_panel import chart_panel
from medications.models import (
    Administration,
    Medication,
    MedicationOrder,
    ScheduledDose,
)
from tests.medications.factories import (
    MedicationFactory,
    MedicationOrderFactory,
    busy_unit,
)
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse_client(client, make_user):
    nurse = make_user("Nurse", first_name="Nora", last_name="Bedside")
    client.force_login(nurse)
    client.user = nurse
    return client


@pytest.fixture
def clinician_client(client, make_user):
    clinician = make_user("Clinician")
    client.force_login(clinician)
    client.user = clinician
    return client


@pytest.fixture
def dose():
    order = MedicationOrderFactory(
        medication=MedicationFactory(name="Cefazolin", barcode="00409080501"),
        patient__mrn="V0000001",
        patient__given_name="Ann",
        patient__family_name="Lee",
    )
    return ScheduledDose.objects.create(order=order, due_at=timezone.now())


def _mar_request(location, user):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    from medications.views import MarView

    request = RequestFactory().get(
        reverse("medications:mar"), {"location": location.pk}
    )
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    request.htmx = False
    return MarView.as_view(), request


def test_unit_mar_shows_30_patients_and_300_doses_in_at_most_12_queries(
    make_user, django_assert_max_num_queries
):
    # The view with its template: permissions (2), units, doses, the access-log
    # row (savepoint, lock, last hash, insert, release), role and alert badge of
    # the page header. The per-request shell (session, user, profile, session
    # write) comes on top of every page: see the next test.
    nurse = make_user("Nurse")
    location = busy_unit(patients=30, doses_per_patient=10, nurse=nurse)
    view, request = _mar_request(location, nurse)
    with django_assert_max_num_queries(12):
        response = view(request)
        response.render()
    assert response.status_code == 200
    mar = response.context_data["mar"]
    assert len(mar.rows) == 30
    assert sum(len(cell.chips) for row in mar.rows for cell in row.cells) == 300
    assert mar.totals["given"] == 30 * 2  # doses 0 and 3 of each patient are past
    html = response.content.decode()
    assert html.count('class="badge mar-chip') == 300
    assert "text-bg-success" in html and "text-bg-danger" in html
    log = AccessLog.objects.get(user=nurse)
    assert log.what.startswith("unit MAR from ")
    assert log.object_id == str(location.pk)


@pytest.mark.django_db(transaction=True)
def test_the_whole_mar_request_costs_the_same_for_a_small_and_a_busy_unit(
    client, make_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    nurse = make_user("Nurse")
    client.force_login(nurse)
    client.get(reverse("medications:mar"))  # the first request writes the session
    counts = []
    for patients in (3, 30):
        location = busy_unit(patients=patients, doses_per_patient=10, nurse=nurse)
        url = reverse("medications:mar") + f"?location={location.pk}"
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    # 7 for every page (session, user, profile, permissions, role, badge), 5 for
    # the access-log row (BEGIN, lock, last hash, insert, COMMIT), 2 for the MAR.
    assert counts == [14, 14]


def test_unit_mar_filters_by_state_and_patient(nurse_client, dose):
    url = reverse("medications:mar") + f"?location={dose.order.location.pk}"
    response = nurse_client.get(url + "&state=given")
    assert response.context["mar"].rows == []
    response = nurse_client.get(url + "&state=due&q=lee")
    assert [row.patient.mrn for row in response.context["mar"].rows] == ["V0000001"]
    assert f'id="dose-{dose.pk}"' in response.content.decode()


def test_scanning_a_wristband_opens_that_patients_mar(nurse_client, dose):
    response = nurse_client.get(reverse("medications:scan") + "?wristband=v0000001")
    patient_url = reverse(
        "medications:patient-mar", kwargs={"patient_pk": dose.order.patient_id}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{patient_url}?wristband=V0000001"

    response = nurse_client.get(
        reverse("medications:scan") + "?wristband=NOPE1", follow=True
    )
    assert "No patient has the wristband NOPE1." in response.content.decode()


def test_the_patient_mar_lists_the_day_and_logs_the_look(nurse_client, dose):
    url = reverse(
        "medications:patient-mar", kwargs={"patient_pk": dose.order.patient_id}
    )
    response = nurse_client.get(url)
    assert response.status_code == 200
    assert [d.pk for d in response.context["doses"]] == [dose.pk]
    log = AccessLog.objects.get(user=nurse_client.user)
    assert (log.patient_id, log.what) == (dose.order.patient_id, "patient MAR")


def _give(client, dose, **overrides):
    data = {
        "wristband": "V0000001",
        "barcode": "00409080501",
        "amount": "500",
        "unit": "mg",
        "route": "PO",
        "site": "",
        "reason": "",
        "note": "",
    }
    data.update(overrides)
    return client.post(reverse("medications:dose-give", kwargs={"pk": dose.pk}), data)


def test_giving_a_dose_through_the_page(nurse_client, dose):
    response = _give(nurse_client, dose)
    assert response.status_code == 302
    dose.refresh_from_db()
    assert dose.status == "given"
    assert dose.administration.given_by == nurse_client.user
    page = nurse_client.get(response["Location"]).content.decode()
    assert "Given: Cefazolin 500 mg PO to Ann Lee at" in page


def test_a_wrong_wristband_is_shown_and_nothing_is_recorded(nurse_client, dose):
    response = _give(nurse_client, dose, wristband="V0000002")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Wrong patient: the wristband scanned is no patient&#x27;s, not Ann Lee" in (
        body
    )
    assert "V0000001" not in body.split('id="bedside-error"')[1].split("</div>")[0]
    assert Administration.objects.count() == 0


def test_a_second_nurse_is_told_who_gave_the_dose(nurse_client, dose, make_user):
    _give(nurse_client, dose)
    nurse_client.force_login(make_user("Nurse"))
    response = _give(nurse_client, dose)
    assert response.status_code == 200
    assert "Already given by Nora Bedside at" in response.content.decode()


def test_holding_a_dose_through_the_page(nurse_client, dose):
    url = reverse("medications:dose-status", kwargs={"pk": dose.pk})
    response = nurse_client.post(url, {"action": "hold", "reason": "BP 80/40"})
    assert response.status_code == 302
    dose.refresh_from_db()
    assert (dose.status, dose.reason) == ("held", "BP 80/40")


def _order_data(medication, location, **overrides):
    data = {
        "medication": medication.pk,
        "location": location.pk,
        "dose": "500",
        "dose_unit": "mg",
        "route": "PO",
        "frequency": "times",
        "times_of_day": "08:00, 20:00",
        "indication": "Infection",
    }
    data.update(overrides)
    return data


def test_a_clinician_orders_and_sees_each_check(clinician_client, monkeypatch):
    patient = PatientFactory()
    location = LocationFactory(code="unit")
    medication = MedicationFactory(name="Amoxicillin", ingredients=["penicillin"])
    url = reverse("medications:order-create", kwargs={"patient_pk": patient.pk})

    response = clinician_client.post(
        url, _order_data(medication, location, dose="2000")
    )
    assert "2000 mg is above the maximum single dose of Amoxicillin (1000 mg)." in (
        response.content.decode()
    )

    monkeypatch.setattr(
        allergies, "active_allergy_substances", lambda patient: ["Penicillin"]
    )
    response = clinician_client.post(url, _order_data(medication, location))
    assert "Allergy: the patient is allergic to Penicillin" in response.content.decode()
    assert MedicationOrder.objects.count() == 0

    response = clinician_client.post(
        url,
        _order_data(
            medication, location, allergy_override_reason="Tolerated it last year"
        ),
    )
    order = MedicationOrder.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert order.times_of_day == ["08:00", "20:00"]
    assert order.allergy_override_reason == "Tolerated it last year"

    response = clinician_client.post(
        url, _order_data(medication, location, allergy_override_reason="again")
    )
    assert "Duplicate therapy" in response.content.decode()
    assert MedicationOrder.objects.count() == 1


def test_a_clinician_holds_an_order_and_a_nurse_may_not(clinician_client, make_user):
    order = MedicationOrderFactory()
    url = reverse("medications:order-detail", kwargs={"pk": order.pk})
    response = clinician_client.post(url, {"action": "hold", "reason": "NPO"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.status_reason) == ("held", "NPO")

    clinician_client.force_login(make_user("Nurse"))
    response = clinician_client.post(url, {"action": "resume", "reason": "ok"})
    assert response.status_code == 403


def test_an_administrator_adds_a_formulary_entry(admin_client):
    response = admin_client.post(
        reverse("medications:formulary-create"),
        {
            "name": "Vancomycin",
            "rxnorm_code": "1807513",
            "form": "infusion",
            "strength": "1",
            "unit": "g",
            "routes": ["IV"],
            "is_high_alert": "on",
            "barcode": "0033-0029-01",
            "max_single_dose": "2",
            "ingredients": "vancomycin, ",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    medication = Medication.objects.get()
    assert (medication.barcode, medication.ingredients, medication.routes) == (
        "00033002901",
        ["vancomycin"],
        ["IV"],
    )
    assert medication.is_high_alert


def test_the_chart_panel_lists_orders_and_recent_doses_in_three_queries(
    make_user, dose, django_assert_num_queries
):
    from medications import services

    nurse = make_user("Nurse")
    services.dose_administer(
        dose=dose,
        entry=services.Bedside(
            wristband="V0000001",
            barcode="00409080501",
            amount="500",
            unit="mg",
            route="PO",
        ),
        actor=nurse,
    )
    clinician = make_user("Clinician")
    clinician.has_perm("x.y")  # warm the permission cache
    with django_assert_num_queries(2):
        context = chart_panel(patient=dose.order.patient, user=clinician)
    assert [o.pk for o in context["orders"]] == [dose.order_id]
    assert [a.dose_id for a in context["administrations"]] == [dose.pk]
    assert context["can_order"] is True
    assert chart_panel(patient=dose.order.patient, user=make_user("Billing")) == {
        "visible": False,
        "template": "medications/partials/_chart_panel.html",
    }
    from django.template.loader import render_to_string

    html = render_to_string(context["template"], {"panel": context})
    assert "Cefazolin 500 mg PO" in html


def test_old_doses_show_as_missed(nurse_client, dose):
    dose.due_at = timezone.now() - timedelta(hours=5)
    dose.save()
    url = reverse(
        "medications:patient-mar", kwargs={"patient_pk": dose.order.patient_id}
    )
    response = nurse_client.get(url + f"?date={timezone.localdate(dose.due_at)}")
    assert [d.state for d in response.context["doses"]] == ["missed"]
    assert Decimal("500") == dose.order.dose


def test_the_nurses_home_page_counts_the_units_doses(nurse_client, dose):
    unit = dose.order.location
    nurse_client.user.profile.default_location = unit
    nurse_client.user.profile.save()
    ScheduledDose.objects.create(
        order=dose.order, due_at=timezone.now() - timedelta(minutes=50)
    )
    ScheduledDose.objects.create(
        order=dose.order, due_at=timezone.now() + timedelta(minutes=45)
    )
    html = nurse_client.get(reverse("clinic:home")).content.decode()
    assert "Overdue 1</span>" in html
    assert "Due now 1</span>" in html
    assert "Next 60 min 1</span>" in html
    assert f"/mar/?location={unit.pk}" in html


def test_the_unit_grid_escapes_what_it_shows(nurse_client, dose):
    patient = dose.order.patient
    patient.family_name = '<script>alert("x")</script>'
    patient.save()
    url = reverse("medications:mar") + f"?location={dose.order.location.pk}"
    html = nurse_client.get(url).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;, Ann" in html
