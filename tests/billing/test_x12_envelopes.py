"""The 270 (registration) and the 837P (billing) are wrapped by one toolkit."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

import clinic.x12.envelope
from billing.services.submission import claims_for_837, envelope_for
from billing.x12.writer_837 import write_837p
from registration.eligibility.x12 import build_270, inquiry_for
from tests.billing.factories import billed_claim

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)


def _files(*, control: int) -> tuple[str, str]:
    """The 837P and the 270 the clinic would send for one claim's coverage."""
    claim = billed_claim()
    claims = claims_for_837([claim.pk])
    envelope = envelope_for(
        isa=control,
        gs=control,
        st=control,
        now=WHEN,
        provider=claims[0].billing_provider,
    )
    inquiry = inquiry_for(
        coverage=claim.coverage, patient=claim.patient, control_number=control
    )
    return (
        write_837p(claims=claims, envelope=envelope),
        build_270(replace(inquiry, when=WHEN)),
    )


def test_270_and_837_carry_the_same_isa_for_the_same_parties(settings):
    settings.CLEARINGHOUSE_SENDER_ID = "RIVERSIDE"
    settings.CLEARINGHOUSE_RECEIVER_ID = "HUB"
    settings.X12_USAGE_INDICATOR = "P"
    claim_file, inquiry_file = _files(control=42)
    claim_isa = claim_file.splitlines()[0].split("*")
    inquiry_isa = inquiry_file.splitlines()[0].split("*")
    # ISA14: the batch asks for a TA1, the real-time 270 does not; all else agrees
    # (the 270 once said CLINICOPS to CLEARINGHOUSE in production whatever the
    # settings; it now names the parties and usage the claims name).
    assert claim_isa[14] == "1" and inquiry_isa[14] == "0"
    del claim_isa[14], inquiry_isa[14]
    assert claim_isa == inquiry_isa
    assert claim_isa[6] == "RIVERSIDE      " and claim_isa[8] == "HUB            "
    assert claim_isa[9:11] == ["261127", "0930"]  # the clinic's clock (New York)
    assert claim_isa[13:15] == ["000000042", "P"]


def test_both_envelopes_come_from_the_toolkit(monkeypatch):
    calls = []

    def marked_isa(exchange):
        calls.append(exchange)
        return "ISA*FROM-THE-TOOLKIT~"

    monkeypatch.setattr(clinic.x12.envelope, "isa", marked_isa)
    claim_file, inquiry_file = _files(control=7)
    assert claim_file.startswith("ISA*FROM-THE-TOOLKIT~\nGS*HC*")
    assert inquiry_file.startswith("ISA*FROM-THE-TOOLKIT~\nGS*HS*")
    assert [call.isa_control for call in calls] == [7, 7]
