"""Every page that takes a patient, or a record of one, refuses a restricted patient
to a user without a live break-glass grant (GET and POST alike, before the view
runs), and opens again with one.

The walk reuses the URL × role test's samples: a page whose sample creates a
patient is a page about that patient, unless listed in NOT_ONE_PATIENT with why.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.permissions import ROLE_PERMISSIONS, ROLES
from registration.models import BreakGlassGrant, Patient
from registration.restriction import PATIENT_PAGES, patient_path
from tests.clinic.test_url_roles import ALL_PATTERNS, _allows_get, _rule
from tests.clinic.url_samples import SAMPLES
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db

# Pages whose sample makes a patient but which are not one patient's page.
NOT_ONE_PATIENT = {
    # A submission batch holds many patients' claims (the 837P goes to the payer).
    "billing:batch-detail": "many patients",
    "billing:batch-download": "many patients",
    "billing:batch-retry": "many patients",
    # The way in: shows "Restricted patient" and the MRN, nothing else.
    "registration:break-glass": "the break-glass page itself",
    # Administrators lift a restriction here without breaking the glass: it shows
    # the name, MRN and the restriction only (front desk gets 403 once restricted).
    "registration:patient-restriction": "managing the restriction",
    # An automation's page; the sample patient comes from ?mrn= and a restricted
    # one is refused by the view itself (automations.views.PreviewView).
    "automations:preview": "the automation, with a sample patient",
    # Finds a patient by the MRN in its query; a restricted one is refused by the
    # view itself (registration.views.PatientLookupView).
    "registration:patient-lookup": "a patient by MRN from the query",
    # The patient's own link: no staff user, the signed token is the key.
    "selfservice:visit": "the patient's own link",
    "selfservice:visit-confirm": "the patient's own link",
    "selfservice:visit-cancel": "the patient's own link",
    "selfservice:visit-move": "the patient's own link",
    "selfservice:intake": "the patient's own link",
}

PATIENT_SAMPLES = [
    (name, callback) for name, callback in ALL_PATTERNS if name in SAMPLES
]


def _allowed_role(callback, perms, only_roles):
    kind, declared = _rule(callback)
    perms = perms or declared or []
    for role in ROLES:
        if only_roles is not None and role not in only_roles:
            continue
        if kind == "staff" or set(perms) <= set(ROLE_PERMISSIONS[role]):
            return role
    return None


def test_every_gated_name_is_a_url_pattern():
    names = {name for name, _callback in ALL_PATTERNS}
    assert set(PATIENT_PAGES) - names == set()


def test_a_record_finds_its_patient_through_its_foreign_keys():
    from billing.models import VisitDiagnosis
    from medications.models import Administration, ScheduledDose

    assert patient_path(Patient) == ""
    assert patient_path(ScheduledDose) == "order__patient"
    assert patient_path(Administration) == "dose__order__patient"
    assert patient_path(VisitDiagnosis) == "appointment__patient"


@pytest.mark.parametrize(
    ("name", "callback"), PATIENT_SAMPLES, ids=[n for n, _c in PATIENT_SAMPLES]
)
def test_a_restricted_patients_page_needs_a_live_grant(
    name, callback, client, make_user
):
    users = {role: make_user(role) for role in ROLES}
    kwargs, sample_perms, *rest = SAMPLES[name](users)
    if not Patient.objects.exists() or name in NOT_ONE_PATIENT:
        return  # not about one patient (or, in this sample, about none)
    assert name in PATIENT_PAGES, f"{name} shows a patient's record: gate it"
    role = _allowed_role(callback, sample_perms, rest[0] if rest else None)
    assert role is not None, name
    user = users[role]
    # A name no page text holds by chance, to prove the page shows none of theirs.
    Patient.objects.update(restriction="sensitive", family_name="Qwzxvyk")
    url = reverse(name, kwargs=kwargs)
    client.force_login(user)

    refused = client.get(url)
    assert refused.status_code == 403, f"{name} as {role}: {refused.status_code}"
    body = refused.content.decode()
    assert "Restricted patient" in body
    assert "/break-glass/" in body
    assert "Qwzxvyk" not in body, name
    posted = client.post(url, {})
    assert posted.status_code == 403, f"POST {name}: {posted.status_code}"

    now = timezone.now()
    for patient in Patient.objects.all():
        BreakGlassGrant.objects.create(
            user=user,
            patient=patient,
            reason="direct_care",
            reason_text="test",
            granted_at=now,
            expires_at=now + timedelta(hours=1),
        )
    opened = client.get(url)
    assert opened.status_code == (200 if _allows_get(callback) else 405), name


def test_an_expired_grant_no_longer_opens_the_chart(client, make_user):
    nurse = make_user("Nurse")
    patient = PatientFactory(family_name="Quill", restriction="staff")
    earlier = timezone.now() - timedelta(hours=2)
    BreakGlassGrant.objects.create(
        user=nurse,
        patient=patient,
        reason="direct_care",
        reason_text="seen yesterday",
        granted_at=earlier,
        expires_at=earlier + timedelta(hours=1),
    )
    client.force_login(nurse)
    response = client.get(reverse("registration:patient-chart", args=[patient.pk]))
    assert response.status_code == 403
    assert "Quill" not in response.content.decode()


def test_another_users_grant_does_not_open_it(client, make_user):
    nurse, other = make_user("Nurse"), make_user("Nurse")
    patient = PatientFactory(family_name="Quill", restriction="staff")
    now = timezone.now()
    BreakGlassGrant.objects.create(
        user=other,
        patient=patient,
        reason="direct_care",
        reason_text="mine",
        granted_at=now,
        expires_at=now + timedelta(hours=1),
    )
    client.force_login(nurse)
    chart = reverse("registration:patient-chart", args=[patient.pk])
    assert client.get(chart).status_code == 403
    client.force_login(other)
    assert client.get(chart).status_code == 200


def test_htmx_requests_are_sent_to_the_break_glass_page(client, make_user):
    patient = PatientFactory(family_name="Quill", restriction="staff")
    client.force_login(make_user("Nurse"))
    response = client.get(
        reverse("registration:patient-chart", args=[patient.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert response["HX-Redirect"].startswith(
        reverse("registration:break-glass", args=[patient.pk])
    )
