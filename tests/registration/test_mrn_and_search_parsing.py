from datetime import date

import pytest

from registration.mrn import luhn_digit, mrn_from_number, mrn_is_valid
from registration.search import parse_date, parse_phone, parse_query


def test_mrn_check_digit_catches_a_typo_and_a_swap():
    mrn = mrn_from_number(1_234_567)
    assert mrn == "12345674"
    assert mrn_is_valid(mrn)
    assert not mrn_is_valid("12345675")  # one digit wrong
    assert not mrn_is_valid("12345764")  # neighbours swapped
    assert luhn_digit("7992739871") == "3"  # the textbook example


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("1980-03-07", "MDY", date(1980, 3, 7)),
        ("03/07/1980", "MDY", date(1980, 3, 7)),
        ("3/7/1980", "MDY", date(1980, 3, 7)),
        ("03/07/1980", "DMY", date(1980, 7, 3)),
        ("7.3.1980", "MDY", date(1980, 3, 7)),
        ("07.03.80", "MDY", date(1980, 3, 7)),
        ("02/30/1980", "MDY", None),
        ("smith", "MDY", None),
    ],
)
def test_dates_in_the_usual_formats(text, order, expected):
    assert parse_date(text, order=order) == expected


def test_phone_in_any_format_becomes_e164():
    for typed in ("(202) 555-0143", "202.555.0143", "+1 202 555 0143", "2025550143"):
        assert parse_phone(typed, region="US") == "+12025550143"
    assert parse_phone("call me", region="US") == ""


def test_query_parts():
    assert parse_query("smi jo").names == ["smi", "jo"]
    assert parse_query("10000008").mrn == "10000008"
    parsed = parse_query("smith 03/07/1980")
    assert parsed.names == ["smith"] and parsed.birth_date == date(1980, 3, 7)
    assert parse_query("(202) 555-0143").phone == "+12025550143"
    assert parse_query("   ").is_empty
    assert parse_query("%_ x").is_empty
