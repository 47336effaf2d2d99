"""Medication orders, doses and the home list as FHIR R4: MedicationRequest (US
Core), MedicationAdministration and MedicationStatement (R4; US Core has no
profile for either).

The drug is a CodeableConcept (RxNorm when the formulary has the code), not a
contained or separate Medication resource, so ``_include=MedicationRequest:
medication`` has nothing to add. A MedicationAdministration is a scheduled dose
that was given (``completed``) or held or refused (``not-done`` with the reason);
doses still due or cancelled with their order are not events and are not shown.
A home medication is a MedicationStatement (what the patient says they take,
asserted by whoever recorded it, taking or stopped over its ``effectivePeriod``).
"""

from django.db.models.functions import Coalesce

from clinic import fhir_search
from clinic.fhir_datatypes import (
    RXNORM,
    SNOMED,
    clean,
    clinic_system,
    codeable,
    instant,
    period,
    practitioner,
    quantity,
    reference,
)
from clinic.fhir_declaration import US_CORE, ResourceType, SearchParam
from medications.models import (
    Administration,
    HomeMedication,
    MedicationOrder,
    ScheduledDose,
)

REQUEST_CATEGORY = "http://terminology.hl7.org/CodeSystem/medicationrequest-category"
PERFORMER_FUNCTION = "http://terminology.hl7.org/CodeSystem/med-admin-perform-function"
DOSE_STATUS = clinic_system("dose-status")
INTENT = "http://hl7.org/fhir/CodeSystem/medicationrequest-intent"

# Order statuses FHIR names otherwise (active and completed keep their names).
REQUEST_STATUS = {"held": "on-hold", "discontinued": "stopped"}
# A dose held, refused or cancelled is not-done; a version of it in ``_history``
# from before it was given or held is of unknown outcome.
ADMINISTRATION_STATUS = {"given": "completed", "scheduled": "unknown"}
# Doses that are administration events (given, held, refused).
ADMINISTERED = [
    ScheduledDose.Status.GIVEN,
    ScheduledDose.Status.HELD,
    ScheduledDose.Status.REFUSED,
]

# SNOMED CT route of administration (the R4 example binding's system).
ROUTES = {
    "PO": ("26643006", "Oral route"),
    "IV": ("47625008", "Intravenous route"),
    "IM": ("78421000", "Intramuscular route"),
    "SC": ("34206005", "Subcutaneous route"),
    "SL": ("37839007", "Sublingual route"),
    "INH": ("447694001", "Respiratory tract route"),
    "TOP": ("6064005", "Topical route"),
    "PR": ("37161004", "Per rectum"),
}
# Dose units in UCUM; counted forms are UCUM annotations ({tbl}).
UCUM_UNITS = {
    "mcg": "ug",
    "units": "[iU]",
    "tablet": "{tbl}",
    "capsule": "{capsule}",
    "puff": "{puff}",
    "application": "{application}",
}


def request_status(stored: str) -> str:
    return REQUEST_STATUS.get(stored, stored)


def administration_status(stored: str) -> str:
    return ADMINISTRATION_STATUS.get(stored, "not-done")


def medication_concept(medication) -> dict | None:
    """The drug: its RxNorm code when the formulary has one, and its label."""
    return codeable(RXNORM, medication.rxnorm_code, text=str(medication))


def route_concept(route: str) -> dict | None:
    code, display = ROUTES.get(route, (None, None))
    return codeable(SNOMED, code, display, text=route)


def dose_quantity(amount, unit: str) -> dict | None:
    found = quantity(amount, UCUM_UNITS.get(unit, unit))
    return found and {**found, "unit": unit}


def _timing(order: MedicationOrder) -> dict:
    Frequency = MedicationOrder.Frequency
    repeat = {"boundsPeriod": period(order.start_at, order.end_at)}
    if order.frequency == Frequency.INTERVAL and order.interval_hours:
        repeat |= {"frequency": 1, "period": order.interval_hours, "periodUnit": "h"}
    elif order.frequency == Frequency.TIMES:
        repeat["timeOfDay"] = [f"{hhmm}:00" for hhmm in order.times_of_day]
    elif order.frequency == Frequency.ONCE:
        repeat["count"] = 1
    return {"repeat": repeat}


def _dosage_instruction(order: MedicationOrder) -> dict:
    most = None
    if order.is_prn and order.prn_max_per_24h:
        most = {
            "numerator": {"value": order.prn_max_per_24h, "unit": "doses"},
            "denominator": quantity(24, "h"),
        }
    return {
        "text": f"{order.dose_label} {order.route} {order.sig}",
        "patientInstruction": order.instructions,
        "timing": _timing(order),
        "asNeededBoolean": order.is_prn,
        "route": route_concept(order.route),
        "doseAndRate": [{"doseQuantity": dose_quantity(order.dose, order.dose_unit)}],
        "maxDosePerPeriod": most,
    }


def medication_order_to_fhir(order: MedicationOrder) -> dict:
    """One order as a US Core MedicationRequest (the clinic's own order, so
    ``reportedBoolean`` is false and the category is ``outpatient``)."""
    return clean(
        {
            "resourceType": "MedicationRequest",
            "id": str(order.pk),
            "status": request_status(order.status),
            "statusReason": codeable(None, None, text=order.status_reason),
            "intent": "order",
            "category": [codeable(REQUEST_CATEGORY, "outpatient", "Outpatient")],
            "reportedBoolean": False,
            "medicationCodeableConcept": medication_concept(order.medication),
            "subject": reference("Patient", order.patient_id),
            "authoredOn": instant(order.created_at),
            "requester": practitioner(order.ordered_by),
            "reasonCode": [codeable(None, None, text=order.indication)],
            "dosageInstruction": [_dosage_instruction(order)],
        }
    )


def _not_done_reason(dose: ScheduledDose) -> dict | None:
    if dose.status == ScheduledDose.Status.GIVEN:
        return None
    label = dose.get_status_display()
    return codeable(DOSE_STATUS, dose.status, str(label), text=dose.reason or label)


def _performers(given: Administration | None, dose: ScheduledDose) -> list:
    if given is None:
        return [{"actor": practitioner(dose.status_changed_by)}]
    return [
        {
            "function": codeable(PERFORMER_FUNCTION, "performer", "Performer"),
            "actor": practitioner(given.given_by),
        },
        {
            "function": codeable(PERFORMER_FUNCTION, "witness", "Witness"),
            "actor": practitioner(given.witness),
        }
        if given.witness_id
        else None,
    ]


def _dosage(given: Administration | None) -> dict | None:
    if given is None:
        return None
    return {
        "text": given.amount_label,
        "site": codeable(None, None, text=given.site),
        "route": route_concept(given.route),
        "dose": dose_quantity(given.amount, given.unit),
    }


def dose_to_fhir(dose: ScheduledDose) -> dict:
    """A dose given (``completed``, with who gave and witnessed it, how much and
    where) or held or refused (``not-done``, with the nurse's reason)."""
    order = dose.order
    given = getattr(dose, "administration", None)
    moment = dose.status_changed_at or (given.given_at if given else dose.due_at)
    notes = [given.timing_reason, given.note] if given else []
    return clean(
        {
            "resourceType": "MedicationAdministration",
            "id": str(dose.pk),
            "status": administration_status(dose.status),
            "statusReason": [_not_done_reason(dose)],
            "medicationCodeableConcept": medication_concept(order.medication),
            "subject": reference("Patient", order.patient_id),
            "effectiveDateTime": instant(moment),
            "performer": _performers(given, dose),
            "request": reference("MedicationRequest", order.pk),
            "note": [{"text": text} for text in notes if text],
            "dosage": _dosage(given),
        }
    )


def _home_drug(home: HomeMedication) -> dict | None:
    if home.medication_id:
        return medication_concept(home.medication)
    return codeable(RXNORM, home.rxnorm_code, text=home.name)


def _prescriber_note(home: HomeMedication) -> list:
    who = home.prescriber_outside
    if home.prescriber_staff_id:
        who = home.prescriber_staff.get_full_name() or home.prescriber_staff.username
    return [{"text": f"Prescribed by {who}"}] if who else []


def home_medication_to_fhir(home: HomeMedication) -> dict:
    """A home medication as a MedicationStatement: the drug (RxNorm when known,
    else its name as typed), the dose and frequency as the patient takes it,
    taking (``active``) or ``stopped`` (with the reaction it was stopped after),
    since and until when, and who recorded it (the information source)."""
    return clean(
        {
            "resourceType": "MedicationStatement",
            "id": str(home.pk),
            "status": home.status,
            "statusReason": [codeable(None, None, text=home.reaction)],
            "medicationCodeableConcept": _home_drug(home),
            "subject": reference("Patient", home.patient_id),
            "effectivePeriod": period(home.started_on, home.stopped_on),
            "dateAsserted": instant(home.recorded_at),
            "informationSource": practitioner(home.recorded_by),
            "note": _prescriber_note(home),
            "dosage": [{"text": f"{home.dose} {home.frequency}".strip()}],
        }
    )


# The drug is a CodeableConcept, so there is no MedicationRequest:medication to
# include. The orders carry no visit, so ``encounter`` is not declared.
RESOURCES = (
    ResourceType(
        name="MedicationAdministration",
        model=ScheduledDose,
        queryset=lambda: ScheduledDose.objects.filter(
            status__in=ADMINISTERED
        ).select_related(
            "order__medication",
            "status_changed_by__provider",
            "administration__given_by__provider",
            "administration__witness__provider",
        ),
        to_fhir=dose_to_fhir,
        patient_path="order__patient",
        search=(
            fhir_search.patient_param(
                "order__patient", expression="MedicationAdministration.subject"
            ),
            fhir_search.status_token(
                stored=ADMINISTERED, to_code=administration_status
            ),
            fhir_search.first_known_date(
                "effective-time",
                Coalesce("status_changed_at", "administration__given_at", "due_at"),
                fields=("status_changed_at",),
                shown_at="MedicationAdministration.effectiveDateTime",
            ),
            SearchParam.reference("request", "order", target="MedicationRequest"),
        ),
        includes=("patient", "request"),
    ),
    ResourceType(
        name="MedicationRequest",
        model=MedicationOrder,
        queryset=lambda: MedicationOrder.objects.select_related(
            "medication", "ordered_by__provider"
        ),
        to_fhir=medication_order_to_fhir,
        profile=US_CORE + "us-core-medicationrequest",
        patient_path="patient",
        search=(
            fhir_search.patient_param(expression="MedicationRequest.subject"),
            fhir_search.status_token(
                stored=MedicationOrder.Status.values, to_code=request_status
            ),
            fhir_search.constant_token("intent", INTENT, "order"),
            SearchParam.date("authoredon", "created_at"),
        ),
        includes=("patient",),
    ),
    fhir_search.patient_resource(
        "MedicationStatement",
        HomeMedication,
        home_medication_to_fhir,
        SearchParam.token("status", "status"),
        SearchParam.date(
            "effective",
            "started_on",
            expression="MedicationStatement.effectivePeriod",
            documentation="The day the patient started taking it.",
        ),
        queryset=lambda: HomeMedication.objects.select_related(
            "medication", "prescriber_staff", "recorded_by__provider"
        ),
    ),
)
