"""The claim scrubber: rules a claim must pass before it may be marked ready.

Each rule returns the messages of what it found (empty: passed). pyx12 does not check
NPI check digits nor that a claim's total equals its lines; those rules live here.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.icd10cm import icd10cm_problem
from billing.validators import (
    MAX_DIAGNOSES,
    cpt_is_valid,
    pointers_are_valid,
)
from billing.x12.code_lists import (
    CLAIM_FREQUENCIES,
    PLACES_OF_SERVICE,
    RELATIONSHIPS,
)
from clinic.code_lists import is_country, is_state_or_province, is_us_zip
from clinic.x12.elements import delimiters_in
from scheduling.validators import npi_is_valid

BILLING_NPI = "The billing provider's NPI {npi} fails its check digit."
RENDERING_NPI = "The rendering provider's NPI {npi} ({name}) fails its check digit."
NO_DIAGNOSIS = "The claim has no diagnosis: add at least one ICD-10-CM code."
TOO_MANY_DIAGNOSES = "A claim carries at most 12 diagnoses; this one has {n}."
BAD_ICD = "Diagnosis {n}: {problem}"
BAD_STATE = (
    'The {field} "{code}" is not a state or province code X12 takes (US states, '
    "DC and territories; Canadian provinces): correct the address."
)
BAD_COUNTRY = 'The {field} "{code}" is not an ISO country code (like US).'
BAD_ZIP = 'The {field} "{code}" is not a US ZIP code (five or nine digits).'
BAD_PLACE_OF_SERVICE = (
    'The place of service "{code}" is not a CMS place-of-service code (11: office).'
)
BAD_RELATIONSHIP = (
    'The coverage\'s relationship "{code}" is not an X12 relationship code.'
)
BAD_FREQUENCY = 'The claim frequency "{code}" is not 1, 7 or 8.'
BAD_CPT = "Line {line}: {code} is not a CPT/HCPCS code (like 99213 or J1100)."
BAD_MODIFIER = "Line {line}: modifier {mod} is not two letters or digits."
BAD_POINTERS = (
    "Line {line}: diagnosis pointers '{pointers}' must be 1 to 4 numbers of the "
    "claim's {n} diagnoses."
)
NO_LINES = "The claim has no service lines."
LINE_AMOUNT = "Line {line}: the charge must be more than zero."
LINE_UNITS = "Line {line}: the units must be more than zero."
TOTAL_MISMATCH = "The claim total {total} does not equal the sum of its lines {sum}."
MEMBER_ID_MISSING = "The coverage has no member ID."
SUBSCRIBER_MISSING = (
    "The patient is not the subscriber: the subscriber's {field} is missing."
)
PATIENT_MISSING = "The patient's {field} is missing (needed on the claim)."
COVERAGE_INACTIVE = "The coverage is not active on the date of service {day}."
TIMELY_FILING = (
    "The timely-filing limit of {days} days for {payer} passed on {deadline}."
)
DELIMITER = "The {field} contains '{char}', which X12 cannot carry: remove it."
BILLING_PROVIDER_INCOMPLETE = "The billing provider's {field} is missing or invalid."
REPLACEMENT_NEEDS_NUMBER = (
    "A corrected or void claim needs the payer's original claim number."
)
PRIMARY_NOT_ADJUDICATED = (
    "The primary claim has not been paid or denied yet: a secondary claim waits for it."
)


def _delimiters(*fields) -> list[str]:
    """Each character X12 cannot carry, in each ``(label, value)`` of ``fields``."""
    return [
        DELIMITER.format(field=label, char=char)
        for label, value in fields
        for char in delimiters_in(value)
    ]


def _missing(message: str, *fields) -> list[str]:
    """``message`` for each ``(label, value)`` of ``fields`` left empty."""
    return [
        message.format(field=label)
        for label, value in fields
        if not str(value or "").strip()
    ]


def _billing_provider(claim) -> list[str]:
    provider = claim.billing_provider
    errors = []
    if not npi_is_valid(provider.npi):
        errors.append(BILLING_NPI.format(npi=provider.npi))
    if not (provider.tax_id.isdigit() and len(provider.tax_id) == 9):
        errors.append(BILLING_PROVIDER_INCOMPLETE.format(field=_("tax ID")))
    if not (provider.postal_code.isdigit() and len(provider.postal_code) == 9):
        errors.append(BILLING_PROVIDER_INCOMPLETE.format(field=_("ZIP+4")))
    if not is_state_or_province(provider.state):
        errors.append(
            BAD_STATE.format(field=_("billing provider's state"), code=provider.state)
        )
    return errors + _delimiters(
        (_("billing provider name"), provider.name),
        (_("billing provider address"), provider.address_line1),
    )


def _rendering_provider(claim) -> list[str]:
    provider = claim.rendering_provider
    if npi_is_valid(provider.npi):
        return []
    return [RENDERING_NPI.format(npi=provider.npi, name=provider.name)]


def _diagnoses(claim) -> list[str]:
    codes = claim.diagnosis_list
    if not codes:
        return [NO_DIAGNOSIS]
    errors = []
    if len(codes) > MAX_DIAGNOSES:
        errors.append(TOO_MANY_DIAGNOSES.format(n=len(codes)))
    for n, code in enumerate(codes, start=1):
        problem = icd10cm_problem(code)
        if problem:
            errors.append(BAD_ICD.format(n=n, problem=problem))
    return errors


def _address(patient, label: str) -> list[str]:
    """The N4 state, ZIP and country of an address against their code lists."""
    country = (patient.country or "US").upper()
    if not is_country(country):
        return [BAD_COUNTRY.format(field=_("%s country") % label, code=country)]
    errors = []
    if patient.state and not is_state_or_province(patient.state, country):
        errors.append(BAD_STATE.format(field=_("%s state") % label, code=patient.state))
    if country == "US" and patient.postal_code and not is_us_zip(patient.postal_code):
        errors.append(
            BAD_ZIP.format(field=_("%s ZIP code") % label, code=patient.postal_code)
        )
    return errors


def _codes(claim) -> list[str]:
    """Every other coded element against the list X12 uses for it."""
    errors = []
    if claim.place_of_service not in PLACES_OF_SERVICE:
        errors.append(BAD_PLACE_OF_SERVICE.format(code=claim.place_of_service))
    if claim.coverage.relationship not in RELATIONSHIPS:
        errors.append(BAD_RELATIONSHIP.format(code=claim.coverage.relationship))
    if claim.frequency_code not in CLAIM_FREQUENCIES:
        errors.append(BAD_FREQUENCY.format(code=claim.frequency_code))
    # The 837P carries the patient's address as the subscriber's when the
    # patient is the subscriber, else in the patient loop.
    is_self = claim.coverage.relationship == "18"
    label = _("subscriber's (patient's)") if is_self else _("patient's")
    return errors + _address(claim.patient, label)


def _lines(claim, lines) -> list[str]:
    if not lines:
        return [NO_LINES]
    errors = []
    count = min(len(claim.diagnosis_list), MAX_DIAGNOSES)
    for line in lines:
        n = line.line_number
        if not cpt_is_valid(line.code):
            errors.append(BAD_CPT.format(line=n, code=line.code))
        for mod in line.modifier_list:
            if not (len(mod) == 2 and mod.isalnum()):
                errors.append(BAD_MODIFIER.format(line=n, mod=mod))
        if not pointers_are_valid(line.diagnosis_pointers, count):
            errors.append(
                BAD_POINTERS.format(line=n, pointers=line.diagnosis_pointers, n=count)
            )
        if line.charge_amount <= 0:
            errors.append(LINE_AMOUNT.format(line=n))
        if line.units <= 0:
            errors.append(LINE_UNITS.format(line=n))
    return errors


def _total(claim, lines) -> list[str]:
    total = sum((line.charge_amount for line in lines), Decimal("0.00"))
    if total != claim.total_charge:
        return [TOTAL_MISMATCH.format(total=claim.total_charge, sum=total)]
    return []


def _subscriber(claim) -> list[str]:
    coverage = claim.coverage
    patient = claim.patient
    errors = []
    if not coverage.member_id:
        errors.append(MEMBER_ID_MISSING)
    if coverage.relationship != "18":
        errors += _missing(
            SUBSCRIBER_MISSING,
            (_("given name"), coverage.subscriber_given_name),
            (_("family name"), coverage.subscriber_family_name),
            (_("date of birth"), coverage.subscriber_birth_date),
        )
    errors += _missing(
        PATIENT_MISSING,
        (_("address"), patient.address_line1),
        (_("city"), patient.city),
        (_("state"), patient.state),
        (_("postal code"), patient.postal_code),
    )
    return errors + _delimiters(
        (_("patient's family name"), patient.family_name),
        (_("patient's given name"), patient.given_name),
        (_("patient's middle name"), patient.middle_name),
        (_("patient's address"), patient.address_line1),
        (_("patient's address line 2"), patient.address_line2),
        (_("patient's city"), patient.city),
        (_("member ID"), coverage.member_id),
        (_("group number"), coverage.group_number),
        (_("subscriber's given name"), coverage.subscriber_given_name),
        (_("subscriber's family name"), coverage.subscriber_family_name),
        (_("payer name"), claim.payer.name),
    )


def _coverage_active(claim) -> list[str]:
    if claim.coverage.is_current_on(claim.service_date):
        return []
    return [COVERAGE_INACTIVE.format(day=claim.service_date.isoformat())]


def _timely_filing(claim, today) -> list[str]:
    profile = getattr(claim.payer, "billing_profile", None)
    days = (
        profile.timely_filing_days if profile else settings.BILLING_TIMELY_FILING_DAYS
    )
    deadline = claim.service_date + timedelta(days=days)
    if today <= deadline:
        return []
    return [
        TIMELY_FILING.format(
            days=days, payer=claim.payer.name, deadline=deadline.isoformat()
        )
    ]


def _frequency(claim) -> list[str]:
    if claim.frequency_code != "1" and not claim.payer_claim_number:
        return [REPLACEMENT_NEEDS_NUMBER]
    return []


def _secondary(claim) -> list[str]:
    primary = claim.primary_claim
    if primary is None:
        return []
    if primary.status in ("paid", "partially_paid", "denied", "closed"):
        return []
    return [PRIMARY_NOT_ADJUDICATED]


def scrub(claim, *, lines=None, today=None) -> list[str]:
    """Every message the rules have about ``claim``; an empty list means clean."""
    lines = list(claim.lines.all()) if lines is None else list(lines)
    today = today or timezone.localdate()
    return [
        *_billing_provider(claim),
        *_rendering_provider(claim),
        *_diagnoses(claim),
        *_lines(claim, lines),
        *_total(claim, lines),
        *_subscriber(claim),
        *_codes(claim),
        *_coverage_active(claim),
        *_timely_filing(claim, today),
        *_frequency(claim),
        *_secondary(claim),
    ]
