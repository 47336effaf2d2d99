"""Each scrubber rule, its message, and that a claim with errors cannot go out."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing import scrubber
from billing.exceptions import BillingError
from billing.models import Claim, PayerBillingProfile
from billing.services import claim_mark_ready, claims_submit
from tests.billing.factories import billed_claim, patient_with_address

pytestmark = pytest.mark.django_db


def test_a_clean_claim_has_no_errors_and_becomes_ready():
    claim = billed_claim()
    assert claim.scrub_errors == []
    claim_mark_ready(claim=claim, actor=None)
    assert Claim.objects.get(pk=claim.pk).status == "ready"


def test_billing_provider_npi_check_digit():
    claim = billed_claim()
    claim.billing_provider.npi = "1234567890"
    assert scrubber.scrub(claim) == [
        "The billing provider's NPI 1234567890 fails its check digit."
    ]


def test_rendering_provider_npi_check_digit():
    claim = billed_claim()
    claim.rendering_provider.npi = "1999999999"
    claim.rendering_provider.name = "Dr Who"
    assert scrubber.scrub(claim) == [
        "The rendering provider's NPI 1999999999 (Dr Who) fails its check digit."
    ]


def test_icd10_codes_are_checked_against_the_table_and_missing_diagnosis():
    claim = billed_claim()
    claim.diagnosis_codes = "E11.9 250.00 E11"
    assert scrubber.scrub(claim) == [
        "Diagnosis 2: “250.00” is not in the ICD-10-CM FY2026 (April 1, 2026) code "
        "table: search the code or its words and pick one from the list.",
        "Diagnosis 3: E11 (Type 2 diabetes mellitus) is a heading, not a billable "
        "code: pick one of its more specific codes, such as E11.00.",
    ]
    claim.diagnosis_codes = ""
    errors = scrubber.scrub(claim)
    assert scrubber.NO_DIAGNOSIS in errors


def test_cpt_shape_and_modifier_shape():
    claim = billed_claim()
    line = claim.lines.get()
    line.code = "9921"
    line.modifiers = "25 X"
    errors = scrubber.scrub(claim, lines=[line])
    assert errors == [
        "Line 1: 9921 is not a CPT/HCPCS code (like 99213 or J1100).",
        "Line 1: modifier X is not two letters or digits.",
    ]


def test_pointers_must_name_existing_diagnoses():
    claim = billed_claim(diagnoses=("E11.9", "I10"))
    line = claim.lines.get()
    line.diagnosis_pointers = "1 3"
    assert scrubber.scrub(claim, lines=[line]) == [
        "Line 1: diagnosis pointers '1 3' must be 1 to 4 numbers of the claim's 2 "
        "diagnoses."
    ]
    line.diagnosis_pointers = "1 2 1"
    assert len(scrubber.scrub(claim, lines=[line])) == 1
    line.diagnosis_pointers = "2 1"
    assert scrubber.scrub(claim, lines=[line]) == []


def test_subscriber_data_must_be_complete():
    claim = billed_claim(
        relationship="01", subscriber_given_name="Jo", subscriber_family_name=""
    )
    errors = scrubber.scrub(claim)
    assert errors == [
        "The patient is not the subscriber: the subscriber's family name is missing.",
        "The patient is not the subscriber: the subscriber's date of birth is missing.",
    ]


def test_patient_address_is_needed():
    claim = billed_claim(patient=patient_with_address(city=""))
    assert claim.scrub_errors == [
        "The patient's city is missing (needed on the claim)."
    ]


def test_coverage_must_be_active_on_the_date_of_service():
    day = timezone.localdate() - timedelta(days=10)
    claim = billed_claim(day=day)
    claim.coverage.end_date = day - timedelta(days=1)
    assert scrubber.scrub(claim) == [
        f"The coverage is not active on the date of service {day.isoformat()}."
    ]


def test_timely_filing_limit_per_payer():
    claim = billed_claim()
    PayerBillingProfile.objects.create(payer=claim.payer, timely_filing_days=90)
    claim.payer.refresh_from_db()
    day = claim.service_date
    assert scrubber.scrub(claim, today=day + timedelta(days=90)) == []
    errors = scrubber.scrub(claim, today=day + timedelta(days=91))
    deadline = (day + timedelta(days=90)).isoformat()
    assert errors == [
        f"The timely-filing limit of 90 days for {claim.payer.name} passed on "
        f"{deadline}."
    ]


def test_total_must_equal_the_lines():
    claim = billed_claim(extra_codes=["36415"])
    claim.total_charge = Decimal("100.00")
    assert scrubber.scrub(claim) == [
        "The claim total 100.00 does not equal the sum of its lines 135.00."
    ]


def test_x12_delimiters_in_names_are_refused():
    patient = patient_with_address(family_name="Smith~Jones", address_line1="1*Main")
    claim = billed_claim(patient=patient)
    assert claim.scrub_errors == [
        "The patient's family name contains '~', which X12 cannot carry: remove it.",
        "The patient's address contains '*', which X12 cannot carry: remove it.",
    ]


def test_zero_charge_line_is_an_error():
    claim = billed_claim()
    line = claim.lines.get()
    line.charge_amount = Decimal("0.00")
    claim.total_charge = Decimal("0.00")
    assert scrubber.scrub(claim, lines=[line]) == [
        "Line 1: the charge must be more than zero."
    ]


def test_claim_with_errors_cannot_be_marked_ready_or_submitted():
    claim = billed_claim(patient=patient_with_address(state=""))
    with pytest.raises(BillingError) as raised:
        claim_mark_ready(claim=claim, actor=None)
    assert raised.value.message == (
        "The scrubber found 1 problem(s); fix them before the claim is ready."
    )
    assert Claim.objects.get(pk=claim.pk).status == "draft"
    # Even if forced to ready behind the scrubber's back, submission re-checks.
    claim.status = "ready"
    claim.save()
    assert claims_submit(actor=None) is None
    claim.refresh_from_db()
    assert claim.status == "draft"
    assert claim.scrub_errors == [
        "The patient's state is missing (needed on the claim)."
    ]


def test_denied_claim_is_corrected_through_the_visit_charges():
    from billing.services import charge_update, claim_correct

    claim = billed_claim(extra_codes=["36415"])
    claim.status = Claim.Status.DENIED
    claim.payer_claim_number = "ICN-9"
    claim.save()
    corrected = claim_correct(claim=claim, actor=None)
    assert corrected.claim_number == f"{claim.claim_number}R1"
    assert (corrected.frequency_code, corrected.status) == ("7", "draft")
    charge = claim.appointment.charges.get(code="36415")
    charge_update(charge=charge, actor=None, modifiers="59")
    corrected.refresh_from_db()
    assert [line.modifiers for line in corrected.lines.all()] == ["", "59"]
    claim.refresh_from_db()
    assert claim.status == "closed"
    assert claim.status_reason == f"Replaced by {corrected.claim_number}"
    assert [line.modifiers for line in claim.lines.all()] == ["", ""]
