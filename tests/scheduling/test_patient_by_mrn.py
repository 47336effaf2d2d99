"""Booking and the waitlist take a patient by MRN: the page shows whose it is before
anything is saved, and an MRN of no patient changes nothing."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from scheduling.models import Appointment, WaitlistEntry
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import local, next_weekday

pytestmark = pytest.mark.django_db


@pytest.fixture
def frontdesk(client, make_user):
    user = make_user("Front desk")
    client.force_login(user)
    return user


@pytest.fixture
def rosa():
    return PatientFactory(
        mrn="S0000001",
        given_name="Rosa",
        family_name="Marchetti",
        birth_date=date(1958, 6, 1),
    )


def _book_url(clinic, patient_mrn=""):
    params = {
        "appointment_type": clinic["type"].pk,
        "provider": clinic["provider"].pk,
        "location": clinic["location"].pk,
        "start": f"{next_weekday():%Y-%m-%d} 09:00",
    }
    if patient_mrn:
        params["patient"] = patient_mrn
    return reverse("scheduling:book"), params


def test_an_mrn_typed_into_booking_is_shown_with_the_name_before_it_is_booked(
    client, frontdesk, clinic, rosa
):
    url, params = _book_url(clinic)
    page = client.get(url, params).content.decode()
    assert 'hx-get="/patients/lookup/?field=patient"' in page
    assert 'id="patient-banner"' not in page  # no MRN yet, nobody shown
    first = client.post(f"{url}?{urlencode(params)}", {**params, "patient": "S0000001"})
    assert first.status_code == 200
    assert Appointment.objects.count() == 0
    assert first.context["form"].errors["patient"] == [
        "Check the patient first: Marchetti, Rosa, born 1958-06-01 (MRN S0000001). "
        "Nothing was saved; if this is the right patient, send the form again."
    ]
    body = first.content.decode()
    assert 'id="patient-banner"' in body and "Marchetti, Rosa" in body
    assert 'name="patient_shown" value="S0000001"' in body
    second = client.post(
        f"{url}?{urlencode(params)}",
        {**params, "patient": "S0000001", "patient_shown": "S0000001"},
        follow=True,
    )
    appointment = Appointment.objects.get()
    assert (appointment.patient, appointment.start) == (
        rosa,
        local(next_weekday(), 9),
    )
    [message] = [str(m) for m in second.context["messages"]]
    assert message.startswith(
        "Booked for Marchetti, Rosa (S0000001), born 1958-06-01: "
    )


def test_a_booking_page_opened_for_a_patient_shows_them_at_once(
    client, frontdesk, clinic, rosa
):
    url, params = _book_url(clinic, patient_mrn=rosa.mrn)
    body = client.get(url, params).content.decode()
    assert 'id="patient-banner"' in body and "Marchetti, Rosa" in body
    assert 'name="patient_shown" value="S0000001"' in body


def test_an_unknown_mrn_books_nothing(client, frontdesk, clinic, rosa):
    url, params = _book_url(clinic)
    response = client.post(
        url, {**params, "patient": "S0000002", "patient_shown": "S0000002"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["patient"] == [
        "No patient has the MRN S0000002."
    ]
    assert Appointment.objects.count() == 0


def test_the_slot_finder_shows_whose_mrn_it_searches_for(
    client, frontdesk, clinic, rosa
):
    body = client.get(
        reverse("scheduling:find"),
        {"patient": "s0000001", "appointment_type": clinic["type"].pk},
    ).content.decode()
    assert 'id="patient-banner"' in body and "born 1958-06-01" in body


def test_the_waitlist_adds_only_the_patient_the_page_showed(
    client, frontdesk, clinic, rosa
):
    url = reverse("scheduling:waitlist-add")
    data = {
        "patient": "S0000001",
        "appointment_type": clinic["type"].pk,
        "until": f"{next_weekday(weeks_ahead=3):%Y-%m-%d}",
    }
    first = client.post(url, data)
    assert first.status_code == 200
    assert WaitlistEntry.objects.count() == 0
    assert "Marchetti, Rosa" in first.context["form"].errors["patient"][0]
    unknown = client.post(url, {**data, "patient": "X1", "patient_shown": "X1"})
    assert unknown.context["form"].errors["patient"] == ["No patient has the MRN X1."]
    assert WaitlistEntry.objects.count() == 0
    done = client.post(url, {**data, "patient_shown": "S0000001"}, follow=True)
    assert WaitlistEntry.objects.get().patient == rosa
    assert [str(m) for m in done.context["messages"]] == [
        "Marchetti, Rosa (S0000001), born 1958-06-01, added to the waitlist."
    ]
