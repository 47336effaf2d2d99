"""The scrubber checks every coded element of an 837P against the list X12 uses."""

import pytest

from billing import scrubber
from billing.x12 import writer_837
from billing.x12.code_lists import (
    PLACES_OF_SERVICE,
    UNITS,
    place_of_service_name,
    unit_name,
)
from tests.billing.factories import billed_claim

pytestmark = pytest.mark.django_db


def test_a_subscriber_state_of_palau_is_refused_with_the_field_named():
    claim = billed_claim()
    claim.patient.state = "PW"
    assert scrubber.scrub(claim) == [
        "The subscriber's (patient's) state \"PW\" is not a state or province code "
        "X12 takes (US states, DC and territories; Canadian provinces): correct "
        "the address."
    ]


@pytest.mark.parametrize("state", ["IL", "DC", "PR", "GU", "AE"])
def test_states_territories_and_armed_forces_pass(state):
    claim = billed_claim()
    claim.patient.state = state
    assert scrubber.scrub(claim) == []


def test_a_canadian_address_takes_a_province_and_no_us_zip():
    claim = billed_claim()
    claim.patient.country = "CA"
    claim.patient.state = "IL"
    claim.patient.postal_code = "K1A 0B1"
    assert scrubber.scrub(claim) == [
        scrubber.BAD_STATE.format(field="subscriber's (patient's) state", code="IL")
    ]
    claim.patient.state = "ON"
    assert scrubber.scrub(claim) == []


def test_country_and_zip_shape():
    claim = billed_claim()
    claim.patient.postal_code = "6270"
    assert scrubber.scrub(claim) == [
        "The subscriber's (patient's) ZIP code \"6270\" is not a US ZIP code (five "
        "or nine digits)."
    ]
    claim.patient.country = "XX"
    assert scrubber.scrub(claim) == [
        "The subscriber's (patient's) country \"XX\" is not an ISO country code "
        "(like US)."
    ]


def test_billing_provider_state_is_checked():
    claim = billed_claim()
    claim.billing_provider.state = "MH"
    assert scrubber.scrub(claim) == [
        scrubber.BAD_STATE.format(field="billing provider's state", code="MH")
    ]


def test_place_of_service_relationship_and_frequency_codes():
    claim = billed_claim()
    claim.place_of_service = "88"
    claim.coverage.relationship = "ZZ"
    claim.coverage.subscriber_given_name = "Sam"
    claim.coverage.subscriber_family_name = "Doe"
    claim.coverage.subscriber_birth_date = claim.patient.birth_date
    claim.frequency_code = "5"
    claim.payer_claim_number = "ICN1"
    assert scrubber.scrub(claim) == [
        'The place of service "88" is not a CMS place-of-service code (11: office).',
        'The coverage\'s relationship "ZZ" is not an X12 relationship code.',
        'The claim frequency "5" is not 1, 7 or 8.',
    ]


def test_a_spouse_is_named_as_the_patient():
    claim = billed_claim()
    claim.coverage.relationship = "01"
    claim.coverage.subscriber_given_name = "Sam"
    claim.coverage.subscriber_family_name = "Doe"
    claim.coverage.subscriber_birth_date = claim.patient.birth_date
    claim.patient.state = "FM"
    assert scrubber.scrub(claim) == [
        scrubber.BAD_STATE.format(field="patient's state", code="FM")
    ]


def test_the_writer_unit_code_is_on_the_list_and_codes_have_names():
    assert writer_837.UNIT_CODE in UNITS
    assert unit_name("UN") == "units"
    assert place_of_service_name("11") == "11 Office"
    assert place_of_service_name("77") == "77"
    assert "11" in PLACES_OF_SERVICE
