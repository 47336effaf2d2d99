"""Restricted patients: who marks and lifts a restriction, breaking the glass (one
hour, logged, alerted), lists that show "Restricted patient", and the
administrators' report and sign-off."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alerts.models import StaffAlert
from clinic.models import AccessLog
from registration import breakglass
from registration.models import BreakGlassGrant, Patient
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db

MARKER = "Qwzxvyk"  # a family name no page holds by chance


@pytest.fixture
def restricted():
    return PatientFactory(
        family_name=MARKER, given_name="Ann", restriction="public_figure"
    )


def _grant(user, patient, *, minutes_ago=0, reason="direct_care"):
    start = timezone.now() - timedelta(minutes=minutes_ago)
    return BreakGlassGrant.objects.create(
        user=user,
        patient=patient,
        reason=reason,
        reason_text="on the ward",
        granted_at=start,
        expires_at=start + breakglass.GRANT_DURATION,
    )


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
    _grant(nurse, restricted)
    body = client.get(url, {"q": restricted.mrn}).content.decode()
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
    _grant(clinician, restricted)
    assert MARKER in client.get(reverse("alerts:inbox")).content.decode()


# --- Report and sign-off -------------------------------------------------------------


def test_the_report_lists_each_grant_with_the_pages_opened(
    client, make_user, restricted
):
    nurse, admin = make_user("Nurse", username="nina"), make_user("Administrator")
    client.force_login(nurse)
    glass = reverse("registration:break-glass", args=[restricted.pk])
    client.post(
        glass, {"reason": "covering", "reason_text": "for Sam", "confirm": "on"}
    )
    client.get(reverse("registration:patient-chart", args=[restricted.pk]))
    client.get(reverse("medications:patient-mar", args=[restricted.pk]))
    grant = BreakGlassGrant.objects.get()
    client.force_login(admin)
    page = client.get(reverse("clinic:report", args=["restricted-access"]))
    assert page.status_code == 200
    [row] = page.context["table"]
    assert row[2:8] == [
        "nina",
        restricted.mrn,
        f"{MARKER}, Ann",
        "Covering for a colleague",
        "for Sam",
        "2",
    ]
    assert row[8].endswith(" chart; " + row[8].split("; ")[1])
    assert "patient MAR" in row[8]
    assert row[-1] == str(grant.pk)
    csv = b"".join(
        client.get(
            reverse("clinic:report-csv", args=["restricted-access"])
        ).streaming_content
    ).decode()
    assert f"nina,{restricted.mrn}," in csv and "patient MAR" in csv


def test_an_administrator_signs_off_a_batch_with_a_note(make_user, restricted):
    nurse, desk = make_user("Nurse"), make_user("Front desk")
    admin = make_user("Administrator")
    first = breakglass.break_glass(
        patient=restricted, reason="emergency", reason_text="fall", actor=nurse
    )
    second = breakglass.break_glass(
        patient=restricted, reason="operations", reason_text="rebook", actor=desk
    )
    assert (
        breakglass.grants_sign_off(
            grant_ids=[str(first.pk), str(second.pk)],
            note="Both on duty, justified",
            actor=admin,
        )
        == 2
    )
    for grant in (first, second):
        grant.refresh_from_db()
        assert (grant.reviewed_by, grant.review_note) == (
            admin,
            "Both on duty, justified",
        )
        assert grant.reviewed_at is not None
        latest = grant.history.latest()
        assert latest.history_change_reason == "signed off: Both on duty, justified"
        assert latest.history_user == admin
    assert set(
        StaffAlert.objects.filter(kind="break_glass").values_list("status", flat=True)
    ) == {"resolved"}


def test_a_bad_sign_off_signs_nothing(make_user, restricted):
    nurse, admin = make_user("Nurse"), make_user("Administrator")
    own = breakglass.break_glass(
        patient=restricted, reason="other", reason_text="checking", actor=admin
    )
    theirs = breakglass.break_glass(
        patient=restricted, reason="emergency", reason_text="fall", actor=nurse
    )
    with pytest.raises(breakglass.SignOffRefused) as refused:
        breakglass.grants_sign_off(
            grant_ids=[theirs.pk, own.pk], note="fine", actor=admin
        )
    assert refused.value.message == (
        f"Access #{own.pk} is your own; another administrator signs it off. "
        "Nothing was signed."
    )
    with pytest.raises(ValidationError):
        breakglass.grants_sign_off(grant_ids=[theirs.pk], note=" ", actor=admin)
    with pytest.raises(ValidationError):
        breakglass.grants_sign_off(grant_ids=["x"], note="fine", actor=admin)
    with pytest.raises(breakglass.SignOffRefused):
        breakglass.grants_sign_off(grant_ids=[theirs.pk], note="fine", actor=nurse)
    assert not BreakGlassGrant.objects.filter(reviewed_at__isnull=False).exists()
    breakglass.grants_sign_off(grant_ids=[theirs.pk], note="fine", actor=admin)
    with pytest.raises(breakglass.SignOffRefused):
        breakglass.grants_sign_off(grant_ids=[theirs.pk], note="again", actor=admin)
    theirs.refresh_from_db()
    assert theirs.review_note == "fine"


def test_the_sign_off_page_signs_the_chosen_rows(client, make_user, restricted):
    nurse, admin = make_user("Nurse"), make_user("Administrator")
    grant = breakglass.break_glass(
        patient=restricted, reason="emergency", reason_text="fall", actor=nurse
    )
    client.force_login(admin)
    url = reverse("registration:restricted-access-review")
    page = client.get(url)
    assert page.status_code == 200
    assert f'value="{grant.pk}"' in page.content.decode()
    missing = client.post(url, {"grants": [grant.pk], "note": ""})
    assert missing.status_code == 200
    assert "This field is required." in missing.content.decode()
    none = client.post(url, {"note": "ok"})
    assert "Choose at least one access to sign off." in none.content.decode()
    grant.refresh_from_db()
    assert grant.reviewed_at is None
    done = client.post(url, {"grants": [grant.pk], "note": "justified"})
    assert done.status_code == 302
    grant.refresh_from_db()
    assert (grant.reviewed_by, grant.review_note) == (admin, "justified")
    reviewed = client.get(url, {"status": "reviewed"}).content.decode()
    assert "justified" in reviewed


def test_an_mrn_box_does_not_name_a_restricted_patient(client, make_user, restricted):
    desk = make_user("Front desk")
    client.force_login(desk)
    url = reverse("registration:patient-lookup")
    refused = client.get(url, {"field": "patient", "patient": restricted.mrn})
    assert refused.status_code == 403
    assert MARKER not in refused.content.decode()
    _grant(desk, restricted)
    shown = client.get(url, {"field": "patient", "patient": restricted.mrn})
    assert shown.status_code == 200 and MARKER in shown.content.decode()
