"""Lists and boxes that meet a restricted patient show "Restricted patient", never
who: search, the schedule, the unit MAR, the inbox, an MRN box."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from registration.models import Patient
from tests.registration.factories import MARKER, PatientFactory, break_glass_grant

pytestmark = pytest.mark.django_db


def test_search_shows_restricted_patients_as_restricted_only(
    client, make_user, restricted
):
    nurse = make_user("Nurse")
    client.force_login(nurse)
    url = reverse("registration:patient-list")
    for params in ({"q": restricted.mrn}, {"q": restricted.mrn, "suggest": "1"}):
        response = client.get(url, params, HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert "Restricted patient" in body
        assert MARKER not in body
        assert restricted.birth_date.strftime("%Y-%m-%d") not in body
        assert reverse("registration:break-glass", args=[restricted.pk]) in body
    break_glass_grant(nurse, restricted)
    body = client.get(url, {"q": restricted.mrn}).content.decode()
    # The page's help panel (an <aside>) explains what "Restricted patient" means.
    body = re.sub(r"<aside.*?</aside>", "", body, flags=re.S)
    assert MARKER in body and "Restricted patient" not in body


def test_search_with_a_restricted_patient_costs_one_query_more_at_most(
    client, make_user, django_assert_max_num_queries
):
    client.force_login(make_user("Front desk"))
    url = reverse("registration:patient-list")
    PatientFactory.create_batch(3, family_name="Smith")
    client.get(url, {"q": "smi"})
    with django_assert_max_num_queries(20) as plain:
        client.get(url, {"q": "smi"})
    count = len(plain.captured_queries)
    PatientFactory(family_name="Smith", restriction="staff")
    with django_assert_max_num_queries(count + 1):
        response = client.get(url, {"q": "smi"})
    assert "Restricted patient" in response.content.decode()


def test_the_schedule_shows_the_slot_busy_but_not_who(client, make_user, restricted):
    from django.core.cache import cache

    from tests.scheduling.factories import AppointmentFactory

    cache.clear()  # the filter bars' provider choices are cached a minute

    visit = AppointmentFactory(patient=restricted)
    other = AppointmentFactory(start=visit.end + timedelta(hours=1))
    desk = make_user("Front desk")
    client.force_login(desk)
    day = timezone.localtime(visit.start).date()
    for name in ("scheduling:day", "scheduling:week"):
        params = {"date": f"{day:%Y-%m-%d}"}
        if name == "scheduling:week":
            params["provider"] = visit.provider_id
        body = client.get(reverse(name), params).content.decode()
        assert f'id="appt-{visit.pk}"' in body, name
        assert "Restricted patient" in body, name
        assert MARKER not in body, name
        if name == "scheduling:day":
            assert other.patient.family_name in body


def test_the_unit_mar_shows_doses_of_a_restricted_patient_without_who(
    client, make_user
):
    from tests.medications.factories import busy_unit

    nurse = make_user("Nurse")
    location = busy_unit(patients=2, doses_per_patient=2, nurse=nurse)
    hidden = Patient.objects.order_by("pk").first()
    Patient.objects.filter(pk=hidden.pk).update(
        restriction="sensitive", family_name=MARKER
    )
    client.force_login(nurse)
    body = client.get(reverse("medications:mar"), {"location": location.pk})
    html = body.content.decode()
    assert f'id="mar-row-restricted-{hidden.pk}"' in html
    assert MARKER not in html and hidden.mrn not in html
    assert html.count("mar-chip ") == 4  # every dose still shows


def test_the_inbox_hides_a_restricted_patient_in_alert_titles(
    client, make_user, restricted
):
    from alerts.services import alert_raise

    alert = alert_raise(
        kind="critical_result",
        title=f"Critical K 7.1 for {restricted}",
        message=f"{MARKER} needs a call",
        patient=restricted,
        role="Clinician",
    )
    clinician = make_user("Clinician")
    client.force_login(clinician)
    for url in (
        reverse("alerts:inbox"),
        reverse("alerts:resolve", args=[alert.pk]),
    ):
        body = client.get(url).content.decode()
        assert "Restricted patient" in body, url
        assert MARKER not in body, url
    break_glass_grant(clinician, restricted)
    assert MARKER in client.get(reverse("alerts:inbox")).content.decode()


# --- Report and sign-off -------------------------------------------------------------


def test_an_mrn_box_does_not_name_a_restricted_patient(client, make_user, restricted):
    desk = make_user("Front desk")
    client.force_login(desk)
    url = reverse("registration:patient-lookup")
    refused = client.get(url, {"field": "patient", "patient": restricted.mrn})
    assert refused.status_code == 403
    assert MARKER not in refused.content.decode()
    break_glass_grant(desk, restricted)
    shown = client.get(url, {"field": "patient", "patient": restricted.mrn})
    assert shown.status_code == 200 and MARKER in shown.content.decode()
