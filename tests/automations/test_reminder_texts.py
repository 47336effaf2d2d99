"""One vocabulary for every patient text (old names still render), and a text
written wholly in one language: the variant chosen, its words and its formats."""

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from automations.reminders.rules import pick_variant
from automations.texts import (
    ALIASES,
    PLACEHOLDERS,
    TemplateError,
    check_text,
    render,
    text_context,
)

# The Arabic blocks of Unicode (letters, digits, presentation forms).
ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufeff]")


def _visit():
    return SimpleNamespace(
        start=datetime(2026, 3, 4, 15, 0, tzinfo=UTC),
        appointment_type=SimpleNamespace(name="Follow-up"),
        provider=SimpleNamespace(name="Dr Adams"),
        location=SimpleNamespace(name="Main Street", address="1 Main St"),
    )


def _patient():
    return SimpleNamespace(
        preferred_name="", given_name="Rosa", family_name="Diaz", mrn="MRN-7"
    )


@pytest.fixture(autouse=True)
def _new_york(settings):
    settings.TIME_ZONE = "America/New_York"
    settings.CLINIC_NAME = "Clínica Central"


def test_texts_may_use_only_the_vocabulary_and_its_old_aliases():
    check_text("Hi {first_name}, {date} at {time}. {{not a name}}")
    check_text("Hi {patient}, your visit on {appointment_date}")  # old names
    with pytest.raises(TemplateError, match="Unknown name"):
        check_text("Your diagnosis: {diagnosis}")
    with pytest.raises(TemplateError, match="not allowed"):
        check_text("{first_name.__class__}")
    with pytest.raises(TemplateError, match="not well formed"):
        check_text("Hi {first_name")


def test_every_alias_means_a_name_of_the_vocabulary():
    assert set(ALIASES.values()) <= PLACEHOLDERS.keys()
    assert not set(ALIASES) & PLACEHOLDERS.keys()


def test_a_text_saved_with_the_old_names_renders_as_with_the_new_ones():
    context = text_context(patient=_patient(), visit=_visit(), language="en")
    old = render(
        "{patient} ({patient_name}): {appointment_date}, {appointment_time}", context
    )
    new = render("{first_name} ({full_name}): {date}, {date_time}", context)
    assert old == new == "Rosa (Rosa Diaz): March 4, 2026, March 4, 2026, 10 a.m."


def test_the_variant_for_the_patients_language_is_picked():
    default = ("", "Hello")
    variants = {"es": ("", "Hola"), "pt-BR": ("", "Olá")}

    def body(language):
        return pick_variant(language=language, default=default, variants=variants)

    assert body("es-MX") == ("es", "", "Hola")
    assert body("Spanish") == ("es", "", "Hola")  # free text of older records
    assert body("pt-br") == ("pt-BR", "", "Olá")
    assert body("pt") == ("pt-BR", "", "Olá")
    assert body("de") == ("en", "", "Hello")  # the default text, in its language
    assert body("") == ("en", "", "Hello")


def test_rendering_in_spanish_formats_the_date_in_spanish():
    context = text_context(patient=_patient(), visit=_visit(), language="es")
    text = render("{first_name}: {weekday} {date} {time}, {clinic}", context)
    assert text == "Rosa: miércoles 4 de marzo de 2026 10:00, Clínica Central"


def test_a_text_in_english_has_english_dates_whatever_the_patient_speaks():
    context = text_context(patient=_patient(), visit=_visit(), language="en")
    text = render("{weekday} {date} {time} {reply_instructions}", context)
    assert text.startswith("Wednesday March 4, 2026 10 a.m. Reply C")
    assert not ARABIC.search(text)
