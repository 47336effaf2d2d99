"""Allergies as US Core AllergyIntolerance."""

from clinic.fhir_datatypes import RXNORM, clean, codeable, instant, reference
from clinic.fhir_declaration import ResourceType, SearchParam
from registration.models import Allergy

CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
CLINICAL_STATUS = {"active": "active", "inactive": "inactive", "resolved": "resolved"}
REACTION_SEVERITY = {"mild": "mild", "moderate": "moderate", "severe": "severe"}
HIGH_CRITICALITY = (Allergy.Severity.SEVERE, Allergy.Severity.LIFE_THREATENING)


def allergy_to_fhir(allergy: Allergy) -> dict:
    in_error = allergy.status == Allergy.Status.ENTERED_IN_ERROR
    reaction = None
    if allergy.reaction:
        reaction = {
            "manifestation": [{"text": allergy.reaction}],
            "severity": REACTION_SEVERITY.get(allergy.severity, "severe"),
        }
    return clean(
        {
            "resourceType": "AllergyIntolerance",
            "id": str(allergy.pk),
            # An entry made in error has no clinical status (FHIR's ait-2).
            "clinicalStatus": None
            if in_error
            else codeable(CLINICAL, CLINICAL_STATUS[allergy.status]),
            "verificationStatus": codeable(
                VERIFICATION, "entered-in-error" if in_error else "confirmed"
            ),
            "criticality": "high" if allergy.severity in HIGH_CRITICALITY else "low",
            "code": codeable(
                RXNORM if allergy.rxnorm_code else None,
                allergy.rxnorm_code or None,
                allergy.substance,
                text=allergy.substance,
            ),
            "patient": reference("Patient", allergy.patient_id),
            "recordedDate": instant(allergy.recorded_at),
            "reaction": [reaction],
        }
    )


ALLERGY_INTOLERANCE = ResourceType.us_core(
    "AllergyIntolerance",
    Allergy,
    allergy_to_fhir,
    patient_path="patient",
    includes=("patient",),
    search=(
        SearchParam.reference("patient", "patient", target="Patient"),
        SearchParam.token(
            "clinical-status",
            "status",
            codes=CLINICAL_STATUS,
            expression="AllergyIntolerance.clinicalStatus",
        ),
    ),
)
