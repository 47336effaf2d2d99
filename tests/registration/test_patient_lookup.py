"""An MRN typed or scanned into a form shows whose it is before anything is saved:
the htmx lookup answers with the patient banner, and a diagnostic order is placed
only for the patient the page showed."""

from datetime import date

import pytest
from django.urls import reverse

from clinic.models import AccessLog
from diagnostics.models import DiagnosticOrder, Panel
from tests.registration.factories import AllergyFactory, PatientFactory

pytestmark = pytest.mark.django_db

LOOKUP = reverse("registration:patient-lookup")


@pytest.fixture
def rosa():
    patient = PatientFactory(
        mrn="R0000001",
        given_name="Rosa",
        family_name="Marchetti",
        birth_date=date(1958, 6, 1),
    )
    AllergyFactory(patient=patient, substance="Amoxicillin", severity="severe")
    return patient


def test_a_typed_mrn_answers_with_the_patients_banner_and_is_logged(
    client, make_user, rosa
):
    desk = make_user("Front desk")
    client.force_login(desk)
    response = client.get(
        LOOKUP, {"field": "patient", "patient": " r000-0001 "}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode()
    assert "Marchetti, Rosa" in body and "born 1958-06-01" in body
    assert "Amoxicillin" in body and 'data-state="severe"' in body
    assert '<input type="hidden" name="patient_shown" value="R0000001">' in body
    log = AccessLog.objects.get()
    assert (log.user, log.patient, log.what) == (desk, rosa, "patient by MRN")


def test_an_mrn_of_no_patient_is_refused_and_logs_nothing(client, make_user, rosa):
    client.force_login(make_user("Front desk"))
    response = client.get(LOOKUP, {"field": "patient_mrn", "patient_mrn": "R0000002"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "No patient has the MRN R0000002." in body
    assert "_shown" not in body and "Marchetti" not in body
    assert AccessLog.objects.count() == 0


def test_a_strange_field_name_is_not_echoed_into_the_page(client, make_user, rosa):
    client.force_login(make_user("Nurse"))
    response = client.get(LOOKUP, {"field": '"><script>', "patient": "R0000001"})
    body = response.content.decode()
    assert "<script>" not in body
    assert 'name="patient_shown" value="R0000001"' in body


def test_an_empty_lookup_shows_nothing(client, make_user):
    client.force_login(make_user("Nurse"))
    response = client.get(LOOKUP, {"field": "patient", "patient": ""})
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def _order_data(patient_mrn: str, **extra) -> dict:
    cbc = Panel.objects.get(code="CBC")
    return {
        "patient_mrn": patient_mrn,
        "panels": [cbc.pk],
        "priority": "routine",
        "reason_code": "D64.9",
        **extra,
    }


def test_a_diagnostic_order_is_placed_only_for_the_patient_the_page_showed(
    client, make_user, rosa
):
    client.force_login(make_user("Clinician"))
    url = reverse("diagnostics:order-create")
    form = client.get(url).content.decode()
    # The MRN box asks the lookup while it is typed.
    assert f'hx-get="{LOOKUP}?field=patient_mrn"' in form
    # Typed and sent at once: nothing is placed; the page names the patient.
    first = client.post(url, _order_data("R0000001"))
    assert first.status_code == 200
    assert DiagnosticOrder.objects.count() == 0
    assert first.context["form"].errors["patient_mrn"] == [
        "Check the patient first: Marchetti, Rosa, born 1958-06-01 (MRN R0000001). "
        "Nothing was saved; if this is the right patient, send the form again."
    ]
    body = first.content.decode()
    assert 'id="patient-banner"' in body and "Amoxicillin" in body
    assert 'name="patient_mrn_shown" value="R0000001"' in body
    # Sent again with the patient shown: placed, and the message says for whom.
    second = client.post(
        url, _order_data("R0000001", patient_mrn_shown="R0000001"), follow=True
    )
    order = DiagnosticOrder.objects.get()
    assert order.patient == rosa
    assert [str(m) for m in second.context["messages"]] == [
        f"Order {order.accession} placed for Marchetti, Rosa (R0000001), "
        "born 1958-06-01."
    ]


def test_a_diagnostic_order_for_another_mrn_than_shown_is_not_placed(
    client, make_user, rosa
):
    other = PatientFactory(mrn="R0000003", given_name="Otto", family_name="Berg")
    client.force_login(make_user("Clinician"))
    response = client.post(
        reverse("diagnostics:order-create"),
        _order_data(other.mrn, patient_mrn_shown=rosa.mrn),
    )
    assert response.status_code == 200
    assert DiagnosticOrder.objects.count() == 0
    assert "Berg, Otto" in response.context["form"].errors["patient_mrn"][0]


def test_a_diagnostic_order_for_an_unknown_mrn_changes_nothing(client, make_user):
    client.force_login(make_user("Clinician"))
    response = client.post(
        reverse("diagnostics:order-create"),
        _order_data("Z9999999", patient_mrn_shown="Z9999999"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["patient_mrn"] == [
        "No patient has the MRN Z9999999."
    ]
    assert DiagnosticOrder.objects.count() == 0


def test_the_mrn_lookup_is_exact_on_the_normalised_form_through_the_index(rosa):
    """Settled (#17): exact, not iexact. Typed text is normalised (capitals, no
    spaces or dashes) and a stored MRN is kept in that form, so the lookup finds
    the same patients a case-blind one would, with the unique index."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registration.selectors import patient_by_mrn

    with CaptureQueriesContext(connection) as queries:
        assert patient_by_mrn(mrn=" r000-0001 ") == rosa
    [sql] = [query["sql"] for query in queries]
    assert '"registration_patient"."mrn" = \'R0000001\'' in sql
    assert "UPPER" not in sql
    assert patient_by_mrn(mrn="--") is None


def test_an_mrn_is_stored_only_in_the_form_lookups_normalise_to():
    from django.core.exceptions import ValidationError

    from registration.validators import MRN_NOT_CANONICAL, validate_mrn

    validate_mrn("R0000001")
    for stored in ("r0000001", "R-000001", "R 000001"):
        with pytest.raises(ValidationError) as refused:
            validate_mrn(stored)
        assert refused.value.messages == [str(MRN_NOT_CANONICAL)]


def test_list_searches_find_a_patient_by_the_mrn_as_typed(rosa):
    """Every list's MRN search (billing, diagnostics, medications, the patient
    search) asks the same rule, registration.selectors.patient_mrn_q."""
    from django.db.models import Q

    from registration.models import Coverage
    from registration.selectors import patient_mrn_q
    from tests.registration.factories import CoverageFactory

    mine, _other = CoverageFactory(patient=rosa), CoverageFactory()
    by_mrn = patient_mrn_q(mrn="r000-0001", path="patient__mrn")
    assert list(Coverage.objects.filter(by_mrn)) == [mine]
    # Text with no letter or digit matches nothing, and spoils no OR it is in.
    nothing = patient_mrn_q(mrn=" - ", path="patient__mrn")
    assert list(Coverage.objects.filter(nothing)) == []
    assert list(Coverage.objects.filter(nothing | Q(pk=mine.pk))) == [mine]
