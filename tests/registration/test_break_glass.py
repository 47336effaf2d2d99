"""Restricted patients: who marks and lifts a restriction, and breaking the glass
(one hour, logged, alerted). (Lists: test_restricted_in_lists.py; the
administrators' report and sign-off: test_break_glass_review.py.)"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alerts.models import StaffAlert
from clinic.models import AccessLog
from registration import breakglass
from registration.models import BreakGlassGrant
from tests.registration.factories import MARKER, PatientFactory

pytestmark = pytest.mark.django_db


# --- Marking and lifting -------------------------------------------------------------


def test_front_desk_marks_a_patient_restricted_with_the_reason_in_history(make_user):
    desk = make_user("Front desk")
    patient = PatientFactory()
    breakglass.patient_set_restriction(
        patient=patient, restriction="staff", reason="works on ward 3", actor=desk
    )
    patient.refresh_from_db()
    assert patient.restriction == "staff"
    last = patient.history.latest()
    assert last.history_change_reason == "restricted (staff): works on ward 3"
    assert last.history_user == desk


def test_only_an_administrator_lifts_or_changes_a_restriction(make_user):
    desk, admin = make_user("Front desk"), make_user("Administrator")
    patient = PatientFactory(restriction="staff")
    with pytest.raises(breakglass.RestrictionNotAllowed):
        breakglass.patient_set_restriction(
            patient=patient, restriction="", reason="left the clinic", actor=desk
        )
    with pytest.raises(breakglass.RestrictionNotAllowed):
        breakglass.patient_set_restriction(
            patient=patient, restriction="sensitive", reason="x", actor=desk
        )
    patient.refresh_from_db()
    assert patient.restriction == "staff"
    breakglass.patient_set_restriction(
        patient=patient, restriction="", reason="left the clinic", actor=admin
    )
    patient.refresh_from_db()
    assert patient.restriction == ""
    assert (
        patient.history.latest().history_change_reason
        == "restriction lifted: left the clinic"
    )


@pytest.mark.parametrize(
    ("restriction", "reason", "field"),
    [("staff", "   ", "reason"), ("royalty", "because", "restriction")],
)
def test_a_restriction_without_reason_or_kind_changes_nothing(
    make_user, restriction, reason, field
):
    patient = PatientFactory()
    before = patient.history.count()
    with pytest.raises(ValidationError) as error:
        breakglass.patient_set_restriction(
            patient=patient,
            restriction=restriction,
            reason=reason,
            actor=make_user("Administrator"),
        )
    assert field in error.value.message_dict
    patient.refresh_from_db()
    assert patient.restriction == "" and patient.history.count() == before


def test_the_restriction_page_marks_and_refuses_bad_input(client, make_user):
    patient = PatientFactory()
    client.force_login(make_user("Front desk"))
    url = reverse("registration:patient-restriction", args=[patient.pk])
    page = client.get(url)
    assert page.status_code == 200
    # Front desk cannot choose "not restricted".
    assert 'value=""' not in page.content.decode().split('name="restriction"')[1][:200]
    bad = client.post(url, {"restriction": "staff", "reason": ""})
    assert bad.status_code == 200
    assert "This field is required." in bad.content.decode()
    patient.refresh_from_db()
    assert patient.restriction == ""
    done = client.post(url, {"restriction": "staff", "reason": "nurse on ward 2"})
    assert done.status_code == 302
    patient.refresh_from_db()
    assert patient.restriction == "staff"
    # Now restricted: front desk may no longer change it.
    assert client.get(url).status_code == 403


# --- Breaking the glass --------------------------------------------------------------


def test_breaking_the_glass_grants_an_hour_logs_it_and_alerts_administrators(
    make_user, restricted
):
    nurse = make_user("Nurse", first_name="Nora", last_name="Nurse")
    grant = breakglass.break_glass(
        patient=restricted,
        reason="emergency",
        reason_text="collapsed in the waiting room",
        actor=nurse,
    )
    assert grant.expires_at - grant.granted_at == timedelta(hours=1)
    assert grant.history.count() == 1
    log = AccessLog.objects.get(object_type="registration.breakglassgrant")
    assert (log.user, log.patient, log.what) == (
        nurse,
        restricted,
        "break-glass: emergency",
    )
    alert = StaffAlert.objects.get(kind="break_glass")
    assert alert.assigned_role == "Administrator"
    assert alert.title == "Restricted record opened by Nora Nurse"
    assert alert.message == (
        "Emergency: collapsed in the waiting room. Review and sign it off in the "
        "restricted access report."
    )
    assert alert.patient is None  # the inbox never names the patient
    assert alert.key == f"break-glass:{grant.pk}"


@pytest.mark.parametrize(
    ("reason", "text"), [("", "needed"), ("emergency", "  "), ("bored", "x")]
)
def test_break_glass_without_a_reason_grants_nothing(
    make_user, restricted, reason, text
):
    with pytest.raises(ValidationError):
        breakglass.break_glass(
            patient=restricted,
            reason=reason,
            reason_text=text,
            actor=make_user("Nurse"),
        )
    assert not BreakGlassGrant.objects.exists()
    assert not StaffAlert.objects.exists()
    assert not AccessLog.objects.exists()


def test_an_unrestricted_patient_needs_no_glass(make_user):
    with pytest.raises(breakglass.NotRestricted):
        breakglass.break_glass(
            patient=PatientFactory(),
            reason="emergency",
            reason_text="x",
            actor=make_user("Nurse"),
        )
    assert not BreakGlassGrant.objects.exists()


def test_the_nurse_breaks_the_glass_and_lands_on_the_page_she_asked_for(
    client, make_user, restricted
):
    nurse = make_user("Nurse")
    client.force_login(nurse)
    chart = reverse("registration:patient-chart", args=[restricted.pk])
    refused = client.get(chart)
    assert refused.status_code == 403
    glass = reverse("registration:break-glass", args=[restricted.pk])
    form = client.get(glass, {"next": chart})
    assert form.status_code == 200
    body = form.content.decode()
    assert restricted.mrn in body and MARKER not in body
    # Bad input: no confirmation, no explanation: nothing granted.
    bad = client.post(glass, {"reason": "direct_care", "next": chart})
    assert bad.status_code == 200
    assert "Confirm that you need this record now." in bad.content.decode()
    assert not BreakGlassGrant.objects.exists()
    # An outside "next" is not followed.
    done = client.post(
        glass,
        {
            "reason": "direct_care",
            "reason_text": "giving her infusion",
            "confirm": "on",
            "next": "https://evil.example/",
        },
    )
    assert done.status_code == 302 and done["Location"] == chart
    assert client.get(chart).status_code == 200
    assert BreakGlassGrant.objects.get().user == nurse
    # The break-glass page with a live grant goes straight on.
    again = client.get(glass, {"next": chart})
    assert again.status_code == 302 and again["Location"] == chart


# --- Lists show "Restricted patient" -------------------------------------------------


def test_breaking_the_glass_of_an_unrestricted_record_says_so_on_the_form(
    client, make_user
):
    """A refusal stays on the form with what was typed (it used to redirect)."""
    patient = PatientFactory()
    client.force_login(make_user("Nurse"))
    response = client.post(
        reverse("registration:break-glass", args=[patient.pk]),
        {"reason": "direct_care", "reason_text": "Seen on ward 3", "confirm": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        str(breakglass.NOT_RESTRICTED)
    ]
    assert "Seen on ward 3" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
