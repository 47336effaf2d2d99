"""Lab orders and results as FHIR R4 / US Core: ServiceRequest, Observation
(laboratory result) and DiagnosticReport (laboratory results).

One order is one ServiceRequest and, once resulted, one DiagnosticReport under
the same id; each result is one Observation. An order of one panel (or one test)
is coded with its LOINC code; an order of several is named in ``code.text`` only,
because several codings in one CodeableConcept would claim they mean the same.
"""

import re
from decimal import Decimal

from clinic.fhir_datatypes import (
    ICD10CM,
    LOINC,
    SNOMED,
    clean,
    clinic_identifier,
    codeable,
    instant,
    practitioner,
    quantity,
    reference,
)
from diagnostics.models import DiagnosticOrder, Observation

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
SERVICE_REQUEST_PROFILE = US_CORE + "us-core-servicerequest"
OBSERVATION_PROFILE = US_CORE + "us-core-observation-lab"
REPORT_PROFILE = US_CORE + "us-core-diagnosticreport-lab"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"  # diagnostic service
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

Status = DiagnosticOrder.Status
# An order is an active ServiceRequest until its results are final.
SERVICE_REQUEST_STATUS = dict.fromkeys(
    [Status.FINAL, Status.CORRECTED, Status.REVIEWED], "completed"
) | {Status.CANCELLED: "revoked"}
# A report is registered until results come; partial, final, corrected and
# cancelled keep their names, and a reviewed report is final.
REPORT_STATUS = dict.fromkeys(
    [Status.ORDERED, Status.COLLECTED, Status.IN_LAB], "registered"
) | {Status.REVIEWED: "final"}
OBSERVATION_STATUS = {
    Observation.Status.PRELIMINARY: "preliminary",
    Observation.Status.FINAL: "final",
    Observation.Status.CORRECTED: "corrected",
}
# HL7 v2 table 0396 names (OBX-5 CWE.3) of the code systems FHIR has a URI for.
V2_CODE_SYSTEMS = {"LN": LOINC, "SCT": SNOMED, "SNM": SNOMED, "I10": ICD10CM}
# Order states that have a report (results, or a cancellation in history).
REPORTED = [Status.PARTIAL, Status.FINAL, Status.CORRECTED, Status.REVIEWED]

_BOTH_ENDS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\s*$")
_ONE_END = re.compile(r"^\s*([<>])=?\s*(-?\d+(?:\.\d+)?)\s*$")

LAB_CATEGORY = codeable(OBSERVATION_CATEGORY, "laboratory", "Laboratory")
LAB_SERVICE = codeable(V2_0074, "LAB", "Laboratory")
LAB_PROCEDURE = codeable(SNOMED, "108252007", "Laboratory procedure")


def order_concept(order: DiagnosticOrder) -> dict | None:
    """What was ordered: the LOINC code of its one panel or one test, else the
    names of all of them as text."""
    items = list(order.items.all())
    panels = {item.panel for item in items if item.panel_id}
    loose = [item.test for item in items if not item.panel_id]
    parts = sorted(panels, key=str) + loose
    if len(parts) == 1:
        return codeable(LOINC, parts[0].loinc, parts[0].name, text=parts[0].name)
    return codeable(None, None, text=", ".join(part.name for part in parts))


def _order_fields(order: DiagnosticOrder) -> dict:
    """What a ServiceRequest and its DiagnosticReport both say about the order."""
    return {
        "identifier": [
            clinic_identifier("accession", order.accession, type_code="PLAC")
        ],
        "code": order_concept(order),
        "subject": reference("Patient", order.patient_id),
    }


def order_to_fhir(order: DiagnosticOrder) -> dict:
    """An order as a US Core ServiceRequest (a cancelled one is ``revoked``)."""
    notes = [order.instructions, order.cancel_reason]
    return clean(
        {
            "resourceType": "ServiceRequest",
            "id": str(order.pk),
            "meta": {"profile": [SERVICE_REQUEST_PROFILE]},
            **_order_fields(order),
            "status": SERVICE_REQUEST_STATUS.get(order.status, "active"),
            "intent": "order",
            "category": [LAB_PROCEDURE],
            "priority": order.priority,
            "authoredOn": instant(order.ordered_at),
            "requester": practitioner(order.ordering_clinician),
            "reasonCode": [
                codeable(ICD10CM, order.reason_code, text=order.reason_text or None)
            ],
            "patientInstruction": "Fasting required." if order.fasting else None,
            "note": [{"text": text} for text in notes if text],
        }
    )


def order_report_to_fhir(order: DiagnosticOrder) -> dict:
    """A resulted order as a US Core DiagnosticReport: its results, when they were
    issued and who reviewed them."""
    collected = order.collected_at or order.ordered_at
    return clean(
        {
            "resourceType": "DiagnosticReport",
            "id": str(order.pk),
            "meta": {"profile": [REPORT_PROFILE]},
            **_order_fields(order),
            "basedOn": [reference("ServiceRequest", order.pk)],
            "status": REPORT_STATUS.get(order.status, order.status),
            "category": [LAB_SERVICE],
            "effectiveDateTime": instant(collected),
            "issued": instant(order.resulted_at),
            "performer": [practitioner(order.reviewed_by)],
            "resultsInterpreter": [practitioner(order.reviewed_by)],
            "result": [
                reference("Observation", result.pk)
                for result in order.observations.all()
            ],
            "conclusion": order.review_note,
        }
    )


def reference_range(text: str, unit: str) -> dict | None:
    """``4.0-11.0``, ``>=5`` or ``<=10`` as low / high quantities; any other
    wording (coded tests' normal answers) as text."""
    both, one = _BOTH_ENDS.match(text), _ONE_END.match(text)
    ends = {}
    if both:
        ends = {"low": both.group(1), "high": both.group(2)}
    elif one:
        ends = {"low" if one.group(1) == ">" else "high": one.group(2)}
    bounds = {end: quantity(Decimal(v), unit or None) for end, v in ends.items()}
    return clean({**bounds, "text": text}) or None


def _value(result: Observation) -> dict:
    if result.value_numeric is not None:
        return {"valueQuantity": quantity(result.value_numeric, result.unit or None)}
    if result.value_code:
        system = V2_CODE_SYSTEMS.get(result.value_code_system)
        concept = codeable(system, result.value_code, text=result.value_text or None)
        return {"valueCodeableConcept": concept}
    if result.value_text:
        return {"valueString": result.value_text}
    return {"dataAbsentReason": codeable(DATA_ABSENT, "unknown", "Unknown")}


def observation_to_fhir(result: Observation) -> dict:
    """A result as a US Core laboratory Observation: its value (a quantity in
    UCUM, a code or text), its flag as the interpretation (LL / HH for critical)
    and its reference range. A result on a cancelled order is ``cancelled``."""
    order = result.order
    status = (
        "cancelled"
        if order.status == Status.CANCELLED
        else OBSERVATION_STATUS[result.status]
    )
    flag = Observation.Flag(result.flag)
    effective = result.observed_at or order.collected_at or result.resulted_at
    return clean(
        {
            "resourceType": "Observation",
            "id": str(result.pk),
            "meta": {"profile": [OBSERVATION_PROFILE]},
            "basedOn": [reference("ServiceRequest", order.pk)],
            "status": status,
            "category": [LAB_CATEGORY],
            "code": codeable(LOINC, result.test.loinc, result.test.name),
            "subject": reference("Patient", order.patient_id),
            "effectiveDateTime": instant(effective),
            "issued": instant(result.resulted_at),
            "performer": [practitioner(result.entered_by)],
            **_value(result),
            "interpretation": [codeable(INTERPRETATION, flag.value, str(flag.label))],
            "note": [{"text": result.comment}] if result.comment else [],
            "referenceRange": [reference_range(result.reference_range, result.unit)],
        }
    )
