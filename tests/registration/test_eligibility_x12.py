"""The 270 the clinic writes and the 271 it reads (registration.eligibility.x12)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clinic.x12.reader import X12Error
from registration.eligibility.x12 import Inquiry, build_270, build_271, parse_271

FIXTURES = Path(__file__).parent / "fixtures" / "x12"
# The clinic's zone in the test settings.
WHEN = datetime(2026, 11, 27, 14, 30, tzinfo=ZoneInfo("America/New_York"))
CLINIC = {"provider_name": "ClinicOps Demo Clinic", "provider_npi": "1234567893"}
PAYER = {"payer_name": "Acme Health Plans", "payer_id": "ACME01"}


def test_270_for_a_subscriber_matches_the_fixture():
    inquiry = Inquiry(
        **PAYER,
        **CLINIC,
        member_id="ACM123456789",
        group_number="G0042",
        subscriber_given="Rosa",
        subscriber_family="Delgado",
        subscriber_birth_date=date(1984, 5, 17),
        subscriber_sex="F",
        trace="CO42",
        control_number=42,
        when=WHEN,
    )
    assert build_270(inquiry) == (FIXTURES / "270_subscriber.x12").read_text()


def test_270_for_a_dependent_matches_the_fixture():
    inquiry = Inquiry(
        **PAYER,
        **CLINIC,
        member_id="ACM555000111",
        subscriber_given="Marco",
        subscriber_family="Delgado",
        subscriber_birth_date=date(1982, 1, 9),
        subscriber_sex="M",
        dependent_given="Lucia",
        dependent_family="Delgado",
        dependent_birth_date=date(2015, 8, 2),
        dependent_sex="F",
        relationship="19",
        trace="CO43",
        control_number=43,
        when=WHEN,
    )
    text = build_270(inquiry)
    assert text == (FIXTURES / "270_dependent.x12").read_text()
    segments = text.split("~\n")
    st, se = segments.index("ST*270*0043*005010X279A1"), segments.index("SE*18*0043")
    assert se - st + 1 == 18  # SE counts its own transaction's segments


def test_271_active_with_copay_and_remaining_deductible():
    parsed = parse_271((FIXTURES / "271_active.x12").read_text())
    assert parsed.active is True
    assert parsed.plan_description == "ACME GOLD PPO"
    assert parsed.copay == Decimal("35")
    assert parsed.deductible_remaining == Decimal("412.50")
    assert parsed.trace == "CO42" and parsed.member_id == "ACM123456789"
    assert parsed.rejections == []


def test_271_inactive_with_other_delimiters():
    parsed = parse_271((FIXTURES / "271_inactive_pipes.x12").read_text())
    assert parsed.active is False
    assert parsed.member_id == "BHB000000019"


def test_271_rejection_is_read_as_a_reason():
    parsed = parse_271((FIXTURES / "271_rejected.x12").read_text())
    assert parsed.rejections == ["Invalid/missing subscriber ID"]
    assert parsed.active is None


@pytest.mark.parametrize(
    "text", ["", "hello", (FIXTURES / "270_subscriber.x12").read_text()]
)
def test_what_is_not_a_271_is_refused(text):
    with pytest.raises(X12Error):
        parse_271(text)


def test_270_names_keep_their_words_when_they_hold_a_delimiter():
    inquiry = Inquiry(
        payer_name="Acme*Health~Plans",
        payer_id="ACME01",
        **CLINIC,
        member_id="ACM:123",
        subscriber_given="Rosa  Maria",
        subscriber_family="Delgado^Ruiz",
        subscriber_birth_date=None,
        subscriber_sex="F",
        when=WHEN,
    )
    text = build_270(inquiry)
    assert "NM1*PR*2*ACME HEALTH PLANS*****PI*ACME01~" in text
    assert "NM1*IL*1*DELGADO RUIZ*ROSA MARIA****MI*ACM 123~" in text
    assert parse_271(build_271(inquiry_text=text, answer={})).member_id == "ACM 123"


def test_271_without_a_plan_name_leaves_out_the_empty_element():
    request = (FIXTURES / "270_subscriber.x12").read_text()
    text = build_271(inquiry_text=request, answer={"active": True}, when=WHEN)
    assert "EB*1*IND*30~" in text.splitlines()
    assert parse_271(text).active is True


def test_a_271_cut_short_is_refused():
    text = (FIXTURES / "271_active.x12").read_text()
    cut = text[: text.index("GE*")]
    with pytest.raises(X12Error, match="cut short"):
        parse_271(cut)


def test_a_270_in_the_evening_asks_about_the_clinics_day():
    # 02:00 UTC on the 28th is 21:00 on the 27th in New York (the test zone);
    # the 270 once stamped the UTC day and asked about the wrong one.
    late = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    inquiry = Inquiry(
        **PAYER,
        **CLINIC,
        member_id="ACM1",
        subscriber_given="Rosa",
        subscriber_family="Delgado",
        subscriber_birth_date=None,
        subscriber_sex="F",
        when=late,
    )
    lines = build_270(inquiry).splitlines()
    assert "DTP*291*D8*20261127~" in lines
    assert lines[0].split("*")[9:11] == ["261127", "2100"]
