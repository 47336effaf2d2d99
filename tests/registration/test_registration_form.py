from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registration.models import Coverage, Patient
from registration.mrn import mrn_is_valid
from tests.registration.factories import PatientFactory, PayerFactory, card_image

pytestmark = pytest.mark.django_db

URL = "/patients/new/"
PNG = card_image("PNG")


def _valid(**overrides):
    data = {
        "given_name": "Rosa",
        "family_name": "Delgado",
        "birth_date": "1984-05-17",
        "sex_at_birth": "F",
        "country": "US",
        "phone_mobile": "(202) 555-0188",
        "preferred_language": "es",
        "preferred_contact_method": "sms",
        "sms_consent": "on",
        "sms_consent_method": "written",
        "allergy_review": "nka",
        "relationship": "18",
    }
    data.update(overrides)
    return data


def test_front_desk_registers_a_patient_with_insurance_on_one_page(desk):
    payer = PayerFactory(name="Acme")
    card = SimpleUploadedFile("front.png", PNG, content_type="image/png")
    response = desk.post(
        URL,
        _valid(payer=payer.pk, member_id="abc123456", card_front=card),
    )
    patient = Patient.objects.get(family_name="Delgado")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "registration:patient-chart", args=[patient.pk]
    )
    assert mrn_is_valid(patient.mrn)
    assert str(patient.phone_mobile) == "+12025550188"
    assert patient.sms_consent_recorded_by == desk.user
    assert patient.sms_consent_at is not None
    assert patient.allergy_review == Patient.AllergyReview.NO_KNOWN
    coverage = Coverage.objects.get(patient=patient)
    assert coverage.member_id == "ABC123456"
    assert coverage.card_front.name.endswith(".png")
    assert patient.history.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_date", (date.today() + timedelta(days=2)).isoformat(), "future"),
        ("birth_date", "1899-12-31", "before 1900"),
        ("birth_date", "not a date", "Enter a valid date"),
        ("phone_mobile", "call me maybe", "valid phone number"),
        ("email", "rosa@", "valid email"),
        ("member_id", "ABC 123", "no spaces"),
        ("given_name", "", "This field is required"),
        ("state", "PW", "not a state or province code"),
        ("country", "XX", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_field_message_and_saves_nothing(desk, field, value, message):
    payer = PayerFactory()
    data = _valid(payer=payer.pk, member_id="ABC123")
    data[field] = value
    response = desk.post(URL, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, []))
    assert Patient.objects.count() == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile(
                "big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (10 * 1024 * 1024), "image/png"
            ),
            "largest accepted is 5 MB",
        ),
        (
            SimpleUploadedFile("virus.png", b"MZ\x90\x00" + b"\x00" * 500, "image/png"),
            "must be a JPEG, PNG or PDF",
        ),
    ],
    ids=["10 MB image", "exe renamed png"],
)
def test_bad_card_images_are_refused(desk, upload, message):
    payer = PayerFactory()
    response = desk.post(
        URL, _valid(payer=payer.pk, member_id="ABC123", card_front=upload)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["card_front"])
    assert Patient.objects.count() == 0 and Coverage.objects.count() == 0


def test_sms_consent_needs_how_it_was_given(desk):
    response = desk.post(URL, _valid(sms_consent_method=""))
    assert "how the patient gave consent" in str(response.context["form"].errors)
    assert Patient.objects.count() == 0


def test_a_dependent_needs_the_subscribers_demographics(desk):
    payer = PayerFactory()
    response = desk.post(
        URL, _valid(payer=payer.pk, member_id="ABC123", relationship="19")
    )
    errors = response.context["form"].errors
    assert set(errors) == {
        "subscriber_given_name",
        "subscriber_family_name",
        "subscriber_birth_date",
    }


def test_duplicate_warning_then_confirm_with_a_reason(desk):
    existing = PatientFactory(
        given_name="Rosa", family_name="Delgado", birth_date=date(1984, 5, 17)
    )
    first = desk.post(URL, _valid(given_name="Rossa"))
    assert first.status_code == 200
    matches = first.context["matches"]
    assert [m.patient for m in matches] == [existing]
    assert "Same date of birth, similar name" in matches[0].reasons[0]
    assert Patient.objects.count() == 1
    shown = first.context["form"].data["duplicates_shown"]
    assert shown == existing.mrn
    # Confirming without a reason is refused with a message.
    again = desk.post(URL, _valid(given_name="Rossa", duplicates_shown=shown))
    assert "different patient" in str(again.context["form"].errors["duplicate_reason"])
    assert Patient.objects.count() == 1
    done = desk.post(
        URL,
        _valid(
            given_name="Rossa",
            duplicates_shown=shown,
            duplicate_reason="Twin sister, photo ID checked",
        ),
    )
    assert done.status_code == 302
    new = Patient.objects.exclude(pk=existing.pk).get()
    assert new.duplicate_override_reason == "Twin sister, photo ID checked"
    assert new.duplicate_override_mrns == existing.mrn
    assert new.history.first().history_change_reason.startswith(
        "registered despite possible duplicates"
    )


def test_other_roles_cannot_register(client, make_user):
    client.force_login(make_user("Nurse"))
    assert client.post(URL, _valid()).status_code == 403
    assert Patient.objects.count() == 0


FIELDS = [
    "given_name",
    "family_name",
    "birth_date",
    "sex_at_birth",
    "phone_mobile",
    "phone_home",
    "email",
    "member_id",
    "payer",
    "relationship",
    "subscriber_birth_date",
    "sms_consent_method",
    "country",
    "preferred_language",
    "duplicates_shown",
    "duplicate_reason",
    "allergy_review",
]
hostile = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "9999-99-99",
            "1980-02-30",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
            "+999999999999999999999",
            "a" * 500,
            "%",
            "99999999999999999999999",
        ]
    ),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.dictionaries(st.sampled_from(FIELDS), hostile, max_size=len(FIELDS)))
def test_hostile_input_never_gives_a_500(client, make_user, data):
    user = make_user("Front desk")
    client.force_login(user)
    before = Patient.objects.count()
    payload = {**_valid(), **data}
    response = client.post(URL, payload)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        assert Patient.objects.count() == before
    Patient.objects.all().delete()


def test_possible_duplicates_show_while_typing(desk):
    existing = PatientFactory(
        given_name="Rosa", family_name="Delgado", birth_date=date(1984, 5, 17)
    )
    url = reverse("registration:duplicate-check")
    typing = {"given_name": "Rosa", "family_name": "Delgato", "birth_date": ""}
    assert "Possibly already registered" not in desk.post(url, typing).content.decode()
    typing["birth_date"] = "1984-05-17"
    body = desk.post(url, typing, headers={"HX-Request": "true"}).content.decode()
    assert "Possibly already registered" in body and existing.mrn in body
    nonsense = {"birth_date": "99/99/9999", "phone_mobile": "x", "member_id": "a b"}
    assert desk.post(url, nonsense).status_code == 200


def test_a_us_state_is_stored_as_its_code(desk):
    desk.post(URL, _valid(state="ny", city="Albany", postal_code="12207"))
    assert Patient.objects.get(family_name="Delgado").state == "NY"


def test_a_region_outside_the_us_and_canada_is_free_text(desk):
    desk.post(URL, _valid(country="FR", state="Île-de-France"))
    assert Patient.objects.get(family_name="Delgado").state == "Île-de-France"
