"""Intake before a first visit: sent with the booking, filled in through the
link as a proposed change, and written into the record only item by item, by
the front desk, through each owning service."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alerts.models import Notification, NumberConsent
from automations.models import Event
from clinic.models import AccessLog
from medications.models import HomeMedication
from registration.models import Allergy, Coverage, Patient
from scheduling.models import Appointment
from selfservice import links
from selfservice.models import Intake
from selfservice.services import intake_decide
from tests.registration.factories import PatientFactory, PayerFactory, card_image
from tests.selfservice.support import (
    path_of,
    small_clinic,
    visit_path,
    welcome,
    welcome_on,
)

pytestmark = pytest.mark.django_db

RECORD_FIELDS = ["preferred_name", "city", "phone_mobile", "email", "sms_consent"]


@pytest.fixture
def clinic():
    return small_clinic()


@pytest.fixture
def visit(clinic):
    patient = PatientFactory(phone_mobile="+16175550100", city="Boston")
    return clinic.book(patient)


def _form(**overrides):
    payer = PayerFactory(name="Acme Health")
    data = {
        "preferred_name": "Sunny",
        "city": "Cambridge",
        "email": "sunny@example.org",
        "allergies": "Penicillin: rash\nPeanuts",
        "medications": "Metformin, 500 mg, twice a day",
        "payer": payer.pk,
        "member_id": "abc123456",
        "group_number": "G-1",
        "sms_consent": "on",
        "card_front": SimpleUploadedFile("me.png", card_image(), "image/png"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _submit(client, visit, **overrides):
    return client.post(visit_path(visit, purpose=links.INTAKE), _form(**overrides))


def _record(patient):
    patient = Patient.objects.get(pk=patient.pk)
    return {name: str(getattr(patient, name)) for name in RECORD_FIELDS}


def test_the_welcome_text_of_a_first_visit_carries_the_intake_link(client, clinic):
    welcome_on()
    visit = clinic.book(PatientFactory(phone_mobile="+16175550100"))
    welcome(visit)
    text = Notification.objects.get(appointment=visit, rule__isnull=True)
    url = text.body.rsplit(" ", 1)[1]
    assert "/my/intake/" in url
    assert 'id="intake-form"' in client.get(path_of(url)).content.decode()
    _submit(client, visit)
    assert "We have your form" in client.get(path_of(url)).content.decode()


def test_a_patient_already_seen_gets_no_form(client, clinic, visit):
    Appointment.objects.filter(pk=visit.pk).update(status=Appointment.Status.COMPLETED)
    later = clinic.book(visit.patient, hour=15)
    page = client.get(visit_path(later, purpose=links.INTAKE)).content.decode()
    assert "We have your form" in page and 'id="intake-form"' not in page


def test_an_intake_never_changes_the_record_until_accepted(client, visit):
    before = _record(visit.patient)
    history = visit.patient.history.count()
    response = _submit(client, visit)
    assert response.status_code == 302
    intake = Intake.objects.get(appointment=visit)
    assert intake.status == Intake.Status.RECEIVED
    assert intake.card_front.name.startswith("cards/")
    assert _record(visit.patient) == before
    assert visit.patient.history.count() == history
    assert not Allergy.objects.filter(patient=visit.patient).exists()
    assert not Coverage.objects.filter(patient=visit.patient).exists()
    assert not HomeMedication.objects.filter(patient=visit.patient).exists()
    assert Event.objects.filter(kind="intake.received", subject_id=str(visit.pk))
    # A second submission is refused; the first stays.
    again = _submit(client, visit, city="Springfield")
    assert again.status_code == 200
    intake.refresh_from_db()
    assert intake.proposed["demographics"]["city"] == "Cambridge"


def test_accepting_one_field_changes_only_that_field(client, visit, make_user):
    desk = make_user("Front desk")
    _submit(client, visit)
    before = _record(visit.patient)
    intake = Intake.objects.get(appointment=visit)
    intake_decide(intake=intake, key="city", accept=True, actor=desk)
    after = _record(visit.patient)
    assert after == {**before, "city": "Cambridge"}
    latest = Patient.objects.get(pk=visit.patient.pk).history.first()
    assert latest.history_change_reason == f"accepted from intake {intake.pk}"
    intake.refresh_from_db()
    assert intake.decisions == {"city": "accepted"}
    assert intake.history.first().history_change_reason == "city accepted"


def test_each_item_goes_through_its_owner_and_the_last_closes_the_review(
    client, visit, make_user
):
    desk = make_user("Front desk")
    _submit(client, visit)
    intake = Intake.objects.get(appointment=visit)
    keys = [
        "preferred_name",
        "city",
        "email",
        "insurance",
        "allergy:0",
        "allergy:1",
        "medication:0",
        "sms_consent",
    ]
    for key in keys:
        intake = intake_decide(
            intake=intake, key=key, accept=key != "email", actor=desk
        )
    assert intake.status == Intake.Status.REVIEWED and intake.reviewed_by == desk
    patient = Patient.objects.get(pk=visit.patient.pk)
    assert patient.email == "" and patient.preferred_name == "Sunny"
    assert patient.sms_consent and patient.sms_consent_method == "portal"
    consent = NumberConsent.objects.get(number=str(patient.phone_mobile))
    assert (consent.allowed, consent.source, consent.changed_by) == (
        True,
        NumberConsent.Source.INTAKE,
        desk,
    )
    coverage = Coverage.objects.get(patient=patient)
    assert coverage.member_id == "ABC123456" and coverage.card_front
    assert sorted(
        Allergy.objects.filter(patient=patient).values_list("substance", flat=True)
    ) == ["Peanuts", "Penicillin"]
    home = HomeMedication.objects.get(patient=patient)
    assert (home.name, home.dose, home.frequency) == (
        "Metformin",
        "500 mg",
        "twice a day",
    )
    assert home.recorded_by == desk


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"medications": "Metformin"}, "with commas"),
        ({"allergies": "x\n" * 21}, "At most 20 lines"),
        ({"member_id": ""}, "both the insurance company"),
        ({"no_known_allergies": "on"}, "leave this box empty"),
        ({"phone_mobile": "12"}, "phone"),
        ({"email": "not-an-address"}, "e-mail"),
        ({"preferred_language": "xx"}, "valid choice"),
        (
            {
                "card_front": SimpleUploadedFile(
                    "a.png", b"MZ not an image", "image/png"
                )
            },
            "",
        ),
    ],
)
def test_bad_intake_input_is_shown_and_nothing_is_kept(
    client, visit, overrides, message
):
    response = _submit(client, visit, **overrides)
    assert response.status_code == 200
    page = response.content.decode()
    assert "invalid-feedback" in page or "alert" in page
    assert message.lower() in page.lower()
    assert not Intake.objects.filter(patient=visit.patient).exists()


def test_the_front_desk_reviews_current_beside_proposed(client, visit, make_user):
    _submit(client, visit)
    intake = Intake.objects.get(appointment=visit)
    desk = make_user("Front desk")
    client.force_login(desk)
    response = client.get(intake.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert visit.patient.mrn in page  # the banner
    assert "Boston" in page and "Cambridge" in page
    assert AccessLog.objects.filter(user=desk, patient=visit.patient).exists()
    decided = client.post(
        f"/intakes/{intake.pk}/decide/", {"key": "city", "accept": "yes"}, follow=True
    )
    assert "Saved." in decided.content.decode()
    assert Patient.objects.get(pk=visit.patient.pk).city == "Cambridge"


@pytest.mark.parametrize(
    "data",
    [{}, {"key": "nope", "accept": "yes"}, {"key": "city", "accept": "maybe"}],
)
def test_a_bad_decision_is_refused_without_a_change(client, visit, make_user, data):
    _submit(client, visit)
    intake = Intake.objects.get(appointment=visit)
    client.force_login(make_user("Front desk"))
    response = client.post(f"/intakes/{intake.pk}/decide/", data)
    assert response.status_code in (302, 404)
    intake.refresh_from_db()
    assert intake.decisions == {}
    assert Patient.objects.get(pk=visit.patient.pk).city == "Boston"


def test_a_nurse_may_not_decide(client, visit, make_user):
    _submit(client, visit)
    intake = Intake.objects.get(appointment=visit)
    client.force_login(make_user("Nurse"))
    response = client.post(
        f"/intakes/{intake.pk}/decide/", {"key": "city", "accept": "yes"}
    )
    assert response.status_code == 403


def test_the_intake_list_searches_and_pages(client, clinic, make_user):
    for hour in range(9, 13):
        patient = PatientFactory(family_name=f"Family{hour}")
        _submit(client, clinic.book(patient, hour=hour))
    client.force_login(make_user("Front desk"))
    everyone = client.get("/intakes/").content.decode()
    assert all(f"Family{h}" in everyone for h in range(9, 13))
    one = client.get("/intakes/", {"q": "Family10"}).content.decode()
    assert "Family10" in one and "Family11" not in one
    assert client.get("/intakes/", {"page": "99"}).status_code == 404
    assert client.get("/intakes/", {"status": "bogus"}).status_code == 200


def test_the_visit_page_says_intake_received(client, visit, make_user):
    client.force_login(make_user("Front desk"))
    page = client.get(f"/schedule/appointments/{visit.pk}/").content.decode()
    assert "Intake received" not in page
    client.logout()
    _submit(client, visit)
    client.force_login(make_user("Front desk"))
    page = client.get(f"/schedule/appointments/{visit.pk}/").content.decode()
    assert "Intake received: to review" in page
