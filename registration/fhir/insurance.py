"""Payers as US Core Organizations and coverages as US Core Coverage."""

from clinic.fhir_datatypes import (
    clean,
    clinic_system,
    codeable,
    coding,
    fhir_date,
    identifier,
    reference,
)
from clinic.fhir_declaration import ResourceType, SearchParam
from registration.models import Coverage, Payer

PAYER_ID_SYSTEM = clinic_system("payer-id")
MEMBER_ID_SYSTEM = clinic_system("member-id")
# Source of Payment Typology (the US Core Coverage.type binding)
SOPT = "https://nahdo.org/sopt"
PAYER_TYPE = {
    "MB": ("1", "MEDICARE"),
    "MC": ("2", "MEDICAID"),
    "CH": ("311", "TRICARE (CHAMPUS)"),
    "VA": ("32", "Department of Veterans Affairs"),
    "CI": ("5", "PRIVATE HEALTH INSURANCE"),
    "HM": ("5", "PRIVATE HEALTH INSURANCE"),
    "BL": ("6", "BLUE CROSS/BLUE SHIELD"),
    "WC": ("95", "Worker's Compensation"),
    "09": ("81", "Self-pay"),
    "ZZ": ("9", "MISCELLANEOUS/OTHER"),
}
RELATIONSHIP_SYSTEM = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
RELATIONSHIP = {"18": "self", "01": "spouse", "19": "child", "G8": "other"}
CLASS_SYSTEM = "http://terminology.hl7.org/CodeSystem/coverage-class"


def payer_to_fhir(payer: Payer) -> dict:
    return clean(
        {
            "resourceType": "Organization",
            "id": str(payer.pk),
            "name": payer.name,
            "identifier": [identifier(PAYER_ID_SYSTEM, payer.payer_id)],
            "active": payer.is_active,
            "type": [
                codeable(
                    "http://terminology.hl7.org/CodeSystem/organization-type",
                    "ins",
                    "Insurance Company",
                )
            ],
        }
    )


def _class(kind: str, value: str, name: str | None = None) -> dict | None:
    if not value:
        return None
    return {
        "type": codeable(CLASS_SYSTEM, kind),
        "value": value,
        **({"name": name} if name else {}),
    }


def coverage_to_fhir(coverage: Coverage) -> dict:
    payer_type = PAYER_TYPE.get(coverage.payer.claim_filing_indicator)
    return clean(
        {
            "resourceType": "Coverage",
            "id": str(coverage.pk),
            "identifier": [
                identifier(MEMBER_ID_SYSTEM, coverage.member_id, type_code="MB")
            ],
            "status": "active" if coverage.is_active else "cancelled",
            "type": codeable(SOPT, *payer_type) if payer_type else None,
            "subscriberId": coverage.member_id,
            "beneficiary": reference("Patient", coverage.patient_id),
            "relationship": {
                "coding": [
                    coding(RELATIONSHIP_SYSTEM, RELATIONSHIP.get(coverage.relationship))
                ]
            },
            "period": {
                "start": fhir_date(coverage.effective_date),
                "end": fhir_date(coverage.end_date),
            },
            "payor": [
                reference("Organization", coverage.payer_id, coverage.payer.name)
            ],
            "class": [
                _class("group", coverage.group_number),
                _class("plan", coverage.plan_name, coverage.plan_name),
            ],
            "order": coverage.priority,
        }
    )


ORGANIZATION = ResourceType.us_core(
    "Organization",
    Payer,
    payer_to_fhir,
    search=(
        SearchParam.string("name", "name", match="contains"),
        SearchParam.token("identifier", systems={PAYER_ID_SYSTEM: "payer_id"}),
    ),
    sorts={"name": "name"},
)

COVERAGE = ResourceType.us_core(
    "Coverage",
    Coverage,
    coverage_to_fhir,
    queryset=lambda: Coverage.objects.select_related("payer"),
    patient_path="patient",
    search=(
        SearchParam.reference(
            "patient", "patient", target="Patient", expression="Coverage.beneficiary"
        ),
        SearchParam.reference("beneficiary", "patient", target="Patient"),
        SearchParam.reference("payor", "payer", target="Organization"),
        SearchParam.token(
            "status", "is_active", codes={"active": True, "cancelled": False}
        ),
    ),
    includes=("patient", "payor"),
)
