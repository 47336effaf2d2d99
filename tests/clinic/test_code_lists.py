"""The state, province and country lists that registration and billing share."""

from clinic.code_lists import (
    country_choices,
    country_name,
    is_country,
    is_state_or_province,
    is_us_state,
    is_us_zip,
    state_name,
    us_state_choices,
)


def test_us_states_include_dc_territories_and_armed_forces_but_not_palau():
    codes = {code for code, _name in us_state_choices()}
    assert {"IL", "DC", "PR", "GU", "VI", "AS", "MP", "AA", "AE", "AP"} <= codes
    assert not {"PW", "FM", "MH", "UM"} & codes
    assert len(codes) == 51 + 5 + 3
    assert is_us_state("il") and not is_us_state("PW") and not is_us_state("")


def test_choices_are_sorted_by_name_and_show_the_code():
    choices = us_state_choices()
    assert choices[0] == ("AL", "Alabama (AL)")
    assert ("IL", "Illinois (IL)") in choices
    assert [c[1].casefold() for c in choices] == sorted(
        c[1].casefold() for c in choices
    )
    assert ("US", "United States (US)") in country_choices()
    assert ("PW", "Palau (PW)") in country_choices()


def test_state_of_a_country():
    assert is_state_or_province("ON", "CA")
    assert not is_state_or_province("ON", "US")
    assert not is_state_or_province("IL", "CA")
    assert is_state_or_province("", "DE") and not is_state_or_province("BY", "DE")


def test_countries_zip_and_names():
    assert is_country("us") and is_country("PW") and not is_country("XX")
    assert is_us_zip("62704") and is_us_zip("62704-1234") and is_us_zip("627041234")
    assert not is_us_zip("6270") and not is_us_zip("K1A 0B1")
    assert state_name("IL") == "Illinois" and state_name("QC") == "Quebec"
    assert state_name("PW") == "PW"
    assert country_name("DE") == "Germany" and country_name("XX") == "XX"
