"""Every 837P the app writes passes pyx12 (005010X222A1) with no errors."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Claim, SubmissionBatch
from billing.services import claim_mark_ready, claims_submit, remittance_import
from billing.services.submission import claims_for_837, envelope_for
from billing.x12.writer_835 import remit_for_claim, write_835
from billing.x12.writer_837 import write_837p
from tests.billing.factories import (
    BillingProviderFactory,
    billed_claim,
    patient_with_address,
    pyx12_errors,
)
from tests.registration.factories import CoverageFactory, PayerFactory

pytestmark = pytest.mark.django_db


def _file_for(claims) -> str:
    claims = claims_for_837([c.pk for c in claims])
    envelope = envelope_for(
        isa=17,
        gs=17,
        st=17,
        now=timezone.make_aware(datetime(2026, 11, 27, 10, 30)),
        provider=claims[0].billing_provider,
    )
    return write_837p(claims=claims, envelope=envelope)


def _segments(text: str) -> list[str]:
    return [s.strip() for s in text.split("~") if s.strip()]


def test_one_claim_passes_pyx12_and_has_the_loops():
    claim = billed_claim(extra_codes=["36415"])
    text = _file_for([claim])
    assert pyx12_errors(text) == []
    segments = _segments(text)
    assert segments[0].startswith("ISA*00*          *00*          *ZZ*CLINICOPS")
    assert segments[1].startswith("GS*HC*CLINICOPS*CLEARHOUSE*20261127*1030*17*X*")
    assert "ST*837*0017*005010X222A1" in segments
    assert "NM1*85*2*Riverside Family Clinic*****XX*1234567893" in segments
    assert "REF*EI*123456789" in segments
    assert f"CLM*{claim.claim_number}*135***11:B:1*Y*A*Y*Y" in segments
    assert "HI*ABK:E119" in segments
    assert "SV1*HC:99213*120*UN*1***1" in segments
    assert "SV1*HC:36415*15*UN*1***1" in segments
    st = segments.index("ST*837*0017*005010X222A1")
    se = next(i for i, s in enumerate(segments) if s.startswith("SE*"))
    assert segments[se] == f"SE*{se - st + 1}*0017"
    assert segments[-2] == "GE*1*17"
    assert segments[-1] == "IEA*1*000000017"


def test_many_claims_in_one_file_pass_pyx12():
    payer = PayerFactory()
    claims = [billed_claim(payer=payer) for _ in range(15)]
    text = _file_for(claims)
    assert pyx12_errors(text) == []
    assert text.count("CLM*") == 15
    assert text.count("HL*") == 16  # one billing provider, one subscriber each


def test_patient_who_is_not_the_subscriber_gets_a_patient_loop():
    patient = patient_with_address(given_name="Mary-Kate", family_name="O'Brien")
    claim = billed_claim(
        patient=patient,
        relationship="19",
        subscriber_given_name="Sean",
        subscriber_family_name="O'Brien-Walsh",
        subscriber_birth_date=date(1960, 2, 1),
        subscriber_sex="M",
    )
    text = _file_for([claim])
    assert pyx12_errors(text) == []
    segments = _segments(text)
    assert "HL*2*1*22*1" in segments
    assert "SBR*P**GRP100******CI" in segments
    assert any(s.startswith("NM1*IL*1*O'Brien-Walsh*Sean") for s in segments)
    assert "HL*3*2*23*0" in segments
    assert "PAT*19" in segments
    assert "NM1*QC*1*O'Brien*Mary-Kate" in segments


def test_twelve_diagnoses_and_four_pointers_pass_pyx12():
    codes = [
        "E11.9", "I10", "E78.5", "J45.909", "M54.50", "K21.9",
        "F41.1", "G47.33", "N39.0", "R51.9", "Z79.4", "E66.9",
    ]  # fmt: skip
    claim = billed_claim(diagnoses=codes)
    line = claim.lines.get()
    line.diagnosis_pointers = "1 2 3 12"
    line.save()
    text = _file_for([claim])
    assert pyx12_errors(text) == []
    hi = next(s for s in _segments(text) if s.startswith("HI*"))
    assert hi.startswith("HI*ABK:E119*ABF:I10*ABF:E785")
    assert hi.count("ABF:") == 11
    assert "SV1*HC:99213*120*UN*1***1:2:3:12" in text


def test_secondary_claim_with_the_primary_payment_passes_pyx12():
    patient = patient_with_address(family_name="D'Angelo")
    primary_payer = PayerFactory(name="Acme Health")
    secondary_payer = PayerFactory(name="Second Mutual")
    CoverageFactory(patient=patient, payer=secondary_payer, priority=2)
    primary = billed_claim(patient=patient, payer=primary_payer, extra_codes=["36415"])
    claim_mark_ready(claim=primary, actor=None)
    claims_submit(actor=None)
    primary.refresh_from_db()
    text_835 = write_835(
        trace_number="EFT-SEC-1",
        payer_name="Acme Health",
        payer_tax_id="987654321",
        payee_name="Riverside Family Clinic",
        payee_npi="1234567893",
        payment_date=date(2026, 11, 20),
        claims=[remit_for_claim(primary, outcome="paid")],
    )
    remittance_import(text=text_835, file_name="sec.835")
    secondary = Claim.objects.get(primary_claim=primary)
    assert secondary.sequence == "S"
    assert [line.prior_paid for line in secondary.lines.all()] == [
        Decimal("76.00"),
        Decimal("12.00"),
    ]
    text = _file_for([secondary])
    assert pyx12_errors(text) == []
    segments = _segments(text)
    assert any(s.startswith("SBR*S*18*") for s in segments)
    assert "AMT*D*88" in segments
    assert "OI***Y***Y" in segments
    assert any(
        s.startswith("SVD*" + primary_payer.payer_id + "*76*HC:99213") for s in segments
    )
    assert "CAS*CO*45*24" in segments
    assert "CAS*PR*3*20" in segments


def test_corrected_claim_carries_frequency_7_and_the_payers_number():
    from billing.services import claim_correct

    claim = billed_claim()
    claim.status = Claim.Status.DENIED
    claim.payer_claim_number = "ICN-4711"
    claim.save()
    corrected = claim_correct(claim=claim, actor=None)
    text = _file_for([corrected])
    assert pyx12_errors(text) == []
    assert f"CLM*{corrected.claim_number}*120***11:B:7*Y*A*Y*Y" in text
    assert "REF*F8*ICN-4711" in text


def test_submitted_batch_file_passes_pyx12_and_control_numbers_increase():
    BillingProviderFactory()
    first = billed_claim()
    claim_mark_ready(claim=first, actor=None)
    batch_one = claims_submit(actor=None)
    second = billed_claim()
    claim_mark_ready(claim=second, actor=None)
    batch_two = claims_submit(actor=None)
    assert pyx12_errors(batch_one.content) == []
    assert pyx12_errors(batch_two.content) == []
    assert batch_two.isa_control_number == batch_one.isa_control_number + 1
    assert batch_two.gs_control_number == batch_one.gs_control_number + 1
    assert batch_two.st_control_number == batch_one.st_control_number + 1
    assert f"IEA*1*{batch_two.isa_control_number:09d}~" in batch_two.content
    assert SubmissionBatch.objects.count() == 2


def test_pyx12_helper_reports_a_broken_file():
    claim = billed_claim()
    good = _file_for([claim])
    missing_amount = good.replace("SV1*HC:99213*120*UN*1***1~", "SV1*HC:99213~")
    assert pyx12_errors(missing_amount) != []
    bad_code = good.replace("SBR*P*18*GRP100******CI~", "SBR*P*18*GRP100******Q9~")
    assert any("Q9" in error for error in pyx12_errors(bad_code))
