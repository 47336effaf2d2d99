"""Lab orders and results as FHIR R4 / US Core: ServiceRequest, Observation
(laboratory result) and DiagnosticReport (laboratory results).

One order is one ServiceRequest and, once resulted, one DiagnosticReport under
the same id; each result is one Observation. An order of one panel (or one test)
is coded with its LOINC code; an order of several is named in ``code.text`` only,
because several codings in one CodeableConcept would claim they mean the same.
"""

import re
from decimal import Decimal
from functools import lru_cache

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from clinic import fhir_search
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
from clinic.fhir_declaration import US_CORE, ResourceType, SearchParam
from diagnostics.models import DiagnosticOrder, Observation, OrderedTest

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


def request_status(stored: str) -> str:
    return SERVICE_REQUEST_STATUS.get(stored, "active")


def report_status(stored: str) -> str:
    return REPORT_STATUS.get(stored, stored)


def observation_status(stored: str, order_status: str) -> str:
    if order_status == Status.CANCELLED:
        return "cancelled"
    return OBSERVATION_STATUS[stored]


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
            **_order_fields(order),
            "status": request_status(order.status),
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
            **_order_fields(order),
            "basedOn": [reference("ServiceRequest", order.pk)],
            "status": report_status(order.status),
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


@lru_cache(maxsize=512)
def reference_range(text: str, unit: str) -> dict | None:
    """``4.0-11.0``, ``>=5`` or ``<=10`` as low / high quantities; any other
    wording (coded tests' normal answers) as text. Remembered (a clinic has few
    ranges and a bulk export meets each a million times): read-only."""
    if not text:
        return None
    both, one = _BOTH_ENDS.match(text), _ONE_END.match(text)
    ends = {}
    if both:
        ends = {"low": both.group(1), "high": both.group(2)}
    elif one:
        ends = {"low" if one.group(1) == ">" else "high": one.group(2)}
    bounds = {end: quantity(Decimal(v), unit or None) for end, v in ends.items()}
    return {**bounds, "text": text}


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


def _interpretation(flag: str) -> list[dict]:
    return _interpretation_in(flag, get_language())


@lru_cache(maxsize=64)
def _interpretation_in(flag: str, language: str | None) -> list[dict]:
    """A flag's interpretation, named in ``language`` (remembered per language:
    a bulk export meets each flag a million times). Read-only."""
    flag = Observation.Flag(flag)
    return [codeable(INTERPRETATION, flag.value, str(flag.label))]


def observation_to_fhir(result: Observation) -> dict:
    """A result as a US Core laboratory Observation: its value (a quantity in
    UCUM, a code or text), its flag as the interpretation (LL / HH for critical)
    and its reference range. A result on a cancelled order is ``cancelled``.
    Built without empty members (a bulk export maps every result: no ``clean``)."""
    order = result.order
    effective = result.observed_at or order.collected_at or result.resulted_at
    resource = {
        "resourceType": "Observation",
        "id": str(result.pk),
        "basedOn": [reference("ServiceRequest", order.pk)],
        "status": observation_status(result.status, order.status),
        "category": [LAB_CATEGORY],
    }
    if code := codeable(LOINC, result.test.loinc, result.test.name):
        resource["code"] = code
    if order.patient_id is not None:
        resource["subject"] = reference("Patient", order.patient_id)
    if effective:
        resource["effectiveDateTime"] = instant(effective)
    if result.resulted_at:
        resource["issued"] = instant(result.resulted_at)
    if performer := practitioner(result.entered_by):
        resource["performer"] = [performer]
    resource.update(_value(result))
    resource["interpretation"] = _interpretation(result.flag)
    if result.comment:
        resource["note"] = [{"text": result.comment}]
    if bounds := reference_range(result.reference_range, result.unit):
        resource["referenceRange"] = [bounds]
    return resource


def _ordered_code(rows, modifier, tokens):
    """An order matches a LOINC code of any of its tests or panels (an order of
    several shows them as text only)."""
    codes = [code for system, code in tokens if system in (None, LOINC)]
    items = OrderedTest.objects.filter(order=OuterRef("pk")).filter(
        Q(test__loinc__in=codes) | Q(panel__loinc__in=codes)
    )
    return rows.filter(Exists(items))


def _observation_status(rows, modifier, tokens):
    cancelled = Q(order__status=Status.CANCELLED)
    wanted = Q(pk__in=[])
    for _system, code in tokens:
        if code == "cancelled":
            wanted |= cancelled
        stored = [k for k, v in OBSERVATION_STATUS.items() if v == code]
        wanted |= Q(status__in=stored) & ~cancelled
    return rows.filter(wanted)


def _order_rows():
    return DiagnosticOrder.objects.select_related(
        "ordering_clinician__provider", "reviewed_by__provider"
    ).prefetch_related("items__test", "items__panel", "observations")


ORDER_CODE = SearchParam.token(
    "code",
    "items__test__loinc",
    "items__panel__loinc",
    apply=_ordered_code,
    documentation="The LOINC code of any test or panel of the order.",
)
ORDER_DATE = fhir_search.first_known_date(
    "date",
    Coalesce("collected_at", "ordered_at"),
    fields=("collected_at",),
    shown_at="DiagnosticReport.effectiveDateTime",
)

# What observation_to_fhir reads (a bulk export's light rows).
OBSERVATION_FIELDS = (
    "status",
    "flag",
    "value_numeric",
    "unit",
    "value_code",
    "value_code_system",
    "value_text",
    "comment",
    "reference_range",
    "observed_at",
    "resulted_at",
    "order__status",
    "order__patient_id",
    "order__collected_at",
    "test__loinc",
    "test__name",
    "entered_by__first_name",
    "entered_by__last_name",
    "entered_by__username",
    "entered_by__provider__pk",
)

RESOURCES = (
    ResourceType(
        name="ServiceRequest",
        model=DiagnosticOrder,
        queryset=_order_rows,
        to_fhir=order_to_fhir,
        profile=US_CORE + "us-core-servicerequest",
        patient_path="patient",
        search=(
            fhir_search.patient_param(expression="ServiceRequest.subject"),
            fhir_search.status_token(stored=Status.values, to_code=request_status),
            fhir_search.constant_token("category", SNOMED, "108252007"),
            ORDER_CODE,
            SearchParam.date(
                "authored", "ordered_at", expression="ServiceRequest.authoredOn"
            ),
        ),
        includes=("patient",),
    ),
    ResourceType(
        name="Observation",
        model=Observation,
        queryset=lambda: Observation.objects.select_related(
            "order", "test", "entered_by__provider"
        ),
        to_fhir=observation_to_fhir,
        light=OBSERVATION_FIELDS,
        profile=US_CORE + "us-core-observation-lab",
        patient_path="order__patient",
        search=(
            fhir_search.patient_param(
                "order__patient", expression="Observation.subject"
            ),
            SearchParam.token(
                "status",
                "status",
                apply=_observation_status,
                documentation="Codes: preliminary, final, corrected, cancelled.",
            ),
            fhir_search.constant_token("category", OBSERVATION_CATEGORY, "laboratory"),
            SearchParam.token("code", "test__loinc", systems={LOINC: "test__loinc"}),
            fhir_search.first_known_date(
                "date",
                Coalesce("observed_at", "order__collected_at", "resulted_at"),
                fields=("observed_at",),
                shown_at="Observation.effectiveDateTime",
            ),
            SearchParam.reference(
                "based-on",
                "order",
                target="ServiceRequest",
                expression="Observation.basedOn",
            ),
        ),
        includes=("patient",),
    ),
    ResourceType(
        name="DiagnosticReport",
        model=DiagnosticOrder,
        queryset=lambda: _order_rows().filter(status__in=REPORTED),
        to_fhir=order_report_to_fhir,
        profile=US_CORE + "us-core-diagnosticreport-lab",
        patient_path="patient",
        search=(
            fhir_search.patient_param(expression="DiagnosticReport.subject"),
            fhir_search.status_token(stored=REPORTED, to_code=report_status),
            fhir_search.constant_token("category", V2_0074, "LAB"),
            ORDER_CODE,
            ORDER_DATE,
        ),
        includes=("patient",),
        revincludes=(),
    ),
)
