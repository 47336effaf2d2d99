"""#16 item 6: the preferred language is an ISO 639-1 code chosen from a list by
name; older free text is normalised by a data migration, and nothing typed is
lost (the history keeps it)."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.languages import language_names
from registration import demo
from registration.models import Patient
from registration.services import patient_update
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/patients/new/"
MIGRATION = importlib.import_module(
    "registration.migrations.0008_preferred_language_iso_639_1"
)


def _registration(**overrides):
    return {
        "given_name": "Amal",
        "family_name": "Haddad",
        "birth_date": "1990-02-03",
        "sex_at_birth": "F",
        "country": "US",
        "preferred_contact_method": "phone",
        "allergy_review": "nka",
        "relationship": "18",
        **overrides,
    }


@pytest.fixture
def desk(client, make_user):
    client.force_login(make_user("Front desk"))
    return client


def test_the_registration_form_offers_languages_by_name(desk):
    page = desk.get(URL).content.decode()
    assert '<select name="preferred_language"' in page
    assert '<option value="ar">Arabic (ar)</option>' in page
    assert '<option value="">— not asked —</option>' in page


def test_a_language_chosen_from_the_list_is_kept_as_its_code_and_shown_by_name(
    desk,
):
    response = desk.post(URL, _registration(preferred_language="ar"))
    assert response.status_code == 302
    patient = Patient.objects.get(family_name="Haddad")
    assert patient.preferred_language == "ar"
    chart = desk.get(reverse("registration:patient-chart", args=[patient.pk]))
    body = chart.content.decode()
    assert '<span id="patient-preferred-language">Arabic</span>' in body
    assert '<span id="patient-language">Arabic</span>' in body  # the banner


def test_a_language_not_asked_is_blank_and_says_so(desk):
    desk.post(URL, _registration(preferred_language=""))
    patient = Patient.objects.get(family_name="Haddad")
    assert patient.preferred_language == ""
    chart = desk.get(reverse("registration:patient-chart", args=[patient.pk]))
    assert '<span id="patient-preferred-language">Not asked</span>' in (
        chart.content.decode()
    )


@pytest.mark.parametrize("typed", ["xx", "Spanish", "es-MX"])
def test_a_code_not_in_the_list_is_refused_with_a_message(desk, typed):
    response = desk.post(URL, _registration(preferred_language=typed))
    assert response.status_code == 200
    assert response.context["form"].errors["preferred_language"] == [
        f"Select a valid choice. {typed} is not one of the available choices."
    ]
    assert not Patient.objects.filter(family_name="Haddad").exists()


def test_the_service_refuses_a_code_not_in_the_list():
    patient = PatientFactory(preferred_language="en")
    with pytest.raises(ValidationError) as refused:
        patient_update(patient=patient, data={"preferred_language": "xx"}, actor=None)
    assert "preferred_language" in refused.value.message_dict
    patient.refresh_from_db()
    assert patient.preferred_language == "en"


def test_the_migration_normalises_free_text_and_history_keeps_what_was_typed():
    typed = {
        "Spanish": "es",
        "es-MX": "es",
        "ES": "es",
        "Español": "es",
        "Klingon": "",
        "fr": "fr",
        "": "",
    }
    patients = {text: PatientFactory(preferred_language=text) for text in typed}
    MIGRATION.normalise_languages(apps, None)
    for text, code in typed.items():
        patient = patients[text]
        patient.refresh_from_db()
        assert patient.preferred_language == code, text
    unknown = patients["Klingon"].history.first()
    assert (unknown.preferred_language, unknown.history_change_reason) == (
        "",
        'preferred language "Klingon" names no language: cleared',
    )
    spanish = patients["es-MX"].history.first()
    assert spanish.history_change_reason == 'preferred language "es-MX" recorded as es'
    assert spanish.given_name == patients["es-MX"].given_name  # a whole row
    # Rows already holding a code (or nothing) get no new history row.
    assert patients["fr"].history.count() == 1  # its creation
    assert patients["es-MX"].history.count() == 2


def test_the_demo_clinic_speaks_in_codes():
    assert set(demo.LANGUAGES) <= set(language_names())
