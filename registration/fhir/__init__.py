"""Registration's records as FHIR R4 / US Core resources (served by the ``fhir``
app, which gathers ``RESOURCES``): Patient, Organization (payers), Coverage,
AllergyIntolerance."""

from registration.fhir.allergies import ALLERGY_INTOLERANCE, allergy_to_fhir
from registration.fhir.insurance import (
    COVERAGE,
    ORGANIZATION,
    coverage_to_fhir,
    payer_to_fhir,
)
from registration.fhir.patients import MRN_SYSTEM, PATIENT, patient_to_fhir

RESOURCES = (PATIENT, ORGANIZATION, COVERAGE, ALLERGY_INTOLERANCE)

__all__ = [
    "MRN_SYSTEM",
    "RESOURCES",
    "allergy_to_fhir",
    "coverage_to_fhir",
    "patient_to_fhir",
    "payer_to_fhir",
]
