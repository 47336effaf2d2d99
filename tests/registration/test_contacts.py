"""Issue #21: a patient's contacts, added, edited and ended by the front desk on
the chart, with the patient's consent recorded."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import AccessLog
from registration.models import PatientContact
from registration.selectors import contact_unreachable_reason, contacts_permitted
from tests.registration.factories import PatientContactFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _form(**changes):
    return {
        "name": "Maria Lopez",
        "relationship": "parent",
        "phone_mobile": "+16175550102",
        "email": "",
        "language": "es",
        "receives_reminders": "on",
        "may_manage_visits": "on",
        "consent_method": "in_person",
        "consent_until": "",
        **changes,
    }


def test_the_front_desk_adds_a_contact_with_the_patients_consent(desk):
    patient = PatientFactory()
    url = reverse("registration:contact-create", args=[patient.pk])
    page = desk.get(url)
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert 'id="patient-banner"' in page.content.decode()
    assert AccessLog.objects.get().what == "add contact form"

    response = desk.post(url, _form())

    assert response.status_code == 302
    contact = PatientContact.objects.get()
    assert (contact.patient, contact.language, contact.consent_recorded_by) == (
        patient,
        "es",
        desk.user,
    )
    assert contact.permission_labels() == [
        "Receives appointment reminders",
        "May confirm, cancel or reschedule",
    ]
    chart = desk.get(patient.get_absolute_url()).content.decode()
    assert "Maria Lopez" in chart and "May each number be texted?" in chart


def test_a_nurse_may_not_add_a_contact(client, make_user):
    client.force_login(make_user("Nurse"))
    patient = PatientFactory()
    url = reverse("registration:contact-create", args=[patient.pk])
    assert client.post(url, _form()).status_code == 403
    assert PatientContact.objects.count() == 0


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"phone_mobile": "", "email": ""}, "__all__"),
        ({"phone_mobile": "12"}, "phone_mobile"),
        ({"consent_method": ""}, "consent_method"),
        ({"consent_until": "2001-01-01"}, "consent_until"),
        ({"relationship": "stranger"}, "relationship"),
    ],
)
def test_bad_input_is_refused_on_the_form_and_nothing_is_saved(desk, changes, field):
    patient = PatientFactory()
    url = reverse("registration:contact-create", args=[patient.pk])
    response = desk.post(url, _form(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert PatientContact.objects.count() == 0


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    data=st.dictionaries(
        st.sampled_from(list(_form())),
        st.text(max_size=40).filter(lambda t: "\x00" not in t),
        max_size=5,
    )
)
def test_hostile_input_never_gives_a_500(desk, data):
    patient = PatientFactory()
    url = reverse("registration:contact-create", args=[patient.pk])
    response = desk.post(url, _form(**data))
    assert response.status_code in (200, 302)


def test_ending_a_contact_asks_a_reason_and_takes_every_permission(desk):
    contact = PatientContactFactory(may_manage_visits=True)
    url = reverse("registration:contact-end", args=[contact.pk])
    assert desk.post(url, {"reason": ""}).status_code == 200
    contact.refresh_from_db()
    assert contact.ended_at is None

    assert desk.post(url, {"reason": "moved away"}).status_code == 302
    contact.refresh_from_db()
    assert (contact.end_reason, contact.ended_by) == ("moved away", desk.user)
    assert contact.permits("reminders") is False
    assert contact_unreachable_reason(contact, "reminders") == "contact ended"


def test_editing_the_consent_records_it_again(desk):
    contact = PatientContactFactory()
    url = reverse("registration:contact-edit", args=[contact.pk])
    until = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = desk.post(
        url, _form(name=contact.name, consent_method="written", consent_until=until)
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.consent_method, contact.consent_recorded_by) == (
        "written",
        desk.user,
    )


def test_expired_consent_means_no_permission():
    contact = PatientContactFactory(
        receives_reminders=True,
        consent_until=timezone.localdate() - timedelta(days=1),
    )
    assert contact.permits("reminders") is False
    assert contacts_permitted(patient=contact.patient, permission="reminders") == []
    assert contact_unreachable_reason(contact, "reminders") == (
        "the patient's consent to this contact has run out"
    )
