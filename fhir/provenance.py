"""US Core Provenance, built from the history row of a record's version: who
changed it (the staff member's Practitioner when they are a provider, else their
name; a change without a user is the clinic's system) and when, on behalf of the
clinic.

Not stored: ``Provenance/<Type>-<history id>`` is the version ``history id`` of a
``<Type>`` record, and is answered only while that record is served (a
restricted patient's is not). US Core reaches Provenance through
``_revinclude=Provenance:target`` on the clinical types (``TARGETS``): each
matched record brings the Provenance of its current version. A search takes
``_id`` (what a revinclude gave); ``target`` without ``_id`` would need every
history table at once, so it is not declared.
"""

from django.conf import settings
from django.core.exceptions import ValidationError

from clinic.fhir_datatypes import clean, codeable, instant, practitioner
from clinic.fhir_declaration import (
    COMPUTED_INTERACTIONS,
    US_CORE,
    Computed,
    ResourceType,
    computed_by_ids,
)
from fhir.versions import history_model

PROFILE = US_CORE + "us-core-provenance"
PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
ACTIVITY = {"+": "CREATE", "~": "UPDATE", "-": "DELETE"}
# The types US Core 6.1 asks a Provenance _revinclude of, among those served.
TARGETS = (
    "AllergyIntolerance",
    "CarePlan",
    "Condition",
    "Coverage",
    "DiagnosticReport",
    "Encounter",
    "Goal",
    "MedicationRequest",
    "Observation",
    "Patient",
    "ServiceRequest",
)
REVINCLUDE = "Provenance:target"
SEARCH_BY_ID = (
    "Provenance is searched by _id, or reached with _revinclude=Provenance:target "
    "from the record it is about."
)


def provenance_to_fhir(resource_name: str, row) -> dict:
    """The Provenance of one history row (a version) of a ``resource_name``."""
    clinic = {"display": settings.CLINIC_NAME}
    return clean(
        {
            "resourceType": "Provenance",
            "id": f"{resource_name}-{row.history_id}",
            "meta": {"profile": [PROFILE]},
            "target": [
                {"reference": f"{resource_name}/{row.id}/_history/{row.history_id}"}
            ],
            "recorded": instant(row.history_date),
            "activity": codeable(DATA_OPERATION, ACTIVITY[row.history_type]),
            "reason": [{"text": row.history_change_reason}],
            "agent": [
                {
                    "type": codeable(PARTICIPANT, "author", "Author"),
                    "who": practitioner(row.history_user) or clinic,
                    "onBehalfOf": clinic,
                }
            ],
        }
    )


def _history_rows(resource: ResourceType):
    return history_model(resource).objects.select_related("history_user__provider")


def current_provenance(resource: ResourceType, rows: list) -> list[dict]:
    """The Provenance of each row's current version (its latest history row)."""
    if resource.name not in TARGETS or not rows:
        return []
    latest = {}
    for row in _history_rows(resource).filter(id__in=[r.pk for r in rows]):
        if row.id not in latest or row.history_id > latest[row.id].history_id:
            latest[row.id] = row
    return [
        provenance_to_fhir(resource.name, latest[r.pk]) for r in rows if r.pk in latest
    ]


def _read(ident: str, registry) -> dict | None:
    name, _, history_id = ident.rpartition("-")
    if name not in TARGETS or not history_id.isdigit() or len(history_id) > 18:
        return None
    resource = registry()[name]
    row = _history_rows(resource).filter(history_id=int(history_id)).first()
    if row is None or not resource.queryset().filter(pk=row.id).exists():
        return None
    return provenance_to_fhir(name, row)


def provenance_type(registry) -> ResourceType:
    """The declaration; ``registry()`` is the served types (``fhir.registry``)."""

    def read(ident: str) -> dict | None:
        return _read(ident, registry)

    def search(params: dict, *, after: str | None, count: int):
        if "_id" not in params:
            raise ValidationError(SEARCH_BY_ID)
        return computed_by_ids(read, params, after=after, count=count)

    return ResourceType(
        name="Provenance",
        model=None,
        queryset=None,
        to_fhir=None,
        profile=PROFILE,
        computed=Computed(read=read, search=search, revinclude=current_provenance),
        interactions=COMPUTED_INTERACTIONS,
    )
