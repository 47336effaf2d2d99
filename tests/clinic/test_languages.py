"""clinic.languages: the one list of languages (ISO 639-1) and what old free text
becomes."""

import pytest

from clinic.languages import language_choices, language_name, language_normalise


@pytest.mark.parametrize(
    "text, code",
    [
        ("Spanish", "es"),
        ("spanish ", "es"),
        ("es-MX", "es"),
        ("ES", "es"),
        ("Español", "es"),
        ("pt_BR", "pt"),
        ("Arabic", "ar"),
        ("Deutsch", "de"),
        ("zh", "zh"),
        ("Klingon", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_free_text_becomes_a_code_or_nothing(text, code):
    assert language_normalise(text) == code


def test_the_list_is_every_iso_639_1_code_with_its_name():
    choices = dict(language_choices())
    assert len(choices) == 184
    assert choices["es"] == "Spanish (es)" and choices["ar"] == "Arabic (ar)"
    assert language_name("AR") == "Arabic"
    assert language_name("xx") == "xx"
