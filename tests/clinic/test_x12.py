"""The X12 toolkit (clinic.x12): element text, envelopes and the tokenizer."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from clinic.x12.elements import (
    amount,
    clean,
    composite,
    delimiters_in,
    segment,
    sex_code,
)
from clinic.x12.envelope import Exchange, interchange, isa, transaction_set
from clinic.x12.reader import X12Error, head_segments, split_segments

WHEN = datetime(2026, 11, 27, 14, 30)


def test_a_delimiter_becomes_a_space_and_spaces_collapse():
    # The 270 used to replace, the 837 to remove: "Acme*Health" stays two words.
    assert clean("Acme*Health~ Plan:\r\nWest^") == "Acme Health Plan West"
    assert clean("  Rosa   Maria ") == "Rosa Maria"
    assert clean(None) == "" and clean(42) == "42"


def test_delimiters_in_names_what_a_check_refuses():
    assert delimiters_in("1*Main~St") == ["~", "*"]
    assert delimiters_in("O'Brien-Smith") == []


def test_amounts_drop_trailing_zeros():
    assert [amount(Decimal(v)) for v in ("135.00", "12.50", "0", "-7.05")] == [
        "135",
        "12.5",
        "0",
        "-7.05",
    ]


def test_segment_and_composite_leave_out_trailing_empties():
    assert segment("EB", "1", "IND", "30", "", "") == "EB*1*IND*30~"
    assert segment("HL", 1, "", "20", None, 1) == "HL*1**20**1~"
    assert composite("HC", "99213", "", "") == "HC:99213"
    assert sex_code("F") == "F" and sex_code("X") == "U"


def _exchange(**fields) -> Exchange:
    """An 837 exchange from A to B, ISA 7, GS 8 (``fields`` change it)."""
    return replace(Exchange("A", "B", "HC", "005010X222A1", 7, 8, WHEN), **fields)


def test_isa_is_fixed_width_and_declares_the_delimiters():
    text = isa(
        _exchange(
            sender_id="clinicops",
            receiver_id="A VERY LONG RECEIVER NAME",
            isa_control=42,
            usage="T",
            ack_requested=True,
        )
    )
    assert len(text) == 106
    assert text[3] == "*" and text[104] == ":" and text[105] == "~"
    assert text.split("*")[6] == "clinicops      "
    assert text.split("*")[8] == "A VERY LONG REC"
    assert text.split("*")[13:16] == ["000000042", "1", "T"]


def test_interchange_counts_sets_and_segments():
    exchange = _exchange()
    sets = [
        transaction_set(kind="837", control=9, version="V", body=[segment("BHT")]),
        transaction_set(kind="837", control=10, version="V", body=[]),
    ]
    lines = interchange(exchange, sets).splitlines()
    assert lines[1] == "GS*HC*A*B*20261127*1430*8*X*005010X222A1~"
    assert lines[2:7] == [
        "ST*837*0009*V~",
        "BHT~",
        "SE*3*0009~",
        "ST*837*0010*V~",
        "SE*2*0010~",
    ]
    assert lines[-2:] == ["GE*2*8~", "IEA*1*000000007~"]


def test_the_reader_honours_the_delimiters_the_isa_declares():
    text = isa(_exchange(sender_id="P", receiver_id="C", isa_control=1))
    text = text.replace("*", "|").replace(":", ">").replace("~", "\n")
    text += "ST|271|0001\nNM1|IL|1| NGUYEN |TAM\nSE|3|0001\nIEA|1|000000001\n"
    segments = split_segments("\ufeff" + text)
    nm1 = next(s for s in segments if s.id == "NM1")
    assert nm1.get(3) == "NGUYEN"  # padding around an element is not data
    assert nm1.get(9) == "" and nm1.position == 3
    assert [s.id for s in head_segments(text, chars=120)] == ["ISA", "ST"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not X12"),
        ("hello", "not X12"),
        ("ISA" + "*" * 103 + "~ST*271*0001~SE*2*0001~", "cut short"),
    ],
)
def test_what_is_not_a_whole_interchange_is_refused(text, message):
    with pytest.raises(X12Error, match=message):
        split_segments(text)
