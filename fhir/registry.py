"""Every resource type the API serves, gathered from the apps' ``<app>/fhir.py``.

An app declares what it serves in its own ``fhir.py`` as a tuple ``RESOURCES`` of
:class:`clinic.fhir_declaration.ResourceType` (clinic's core, so every app may
import it; its docstring shows a full declaration) and adds its module to
``RESOURCE_MODULES`` below. Nothing else is needed: routing, search, paging,
history, ETags, the access log, ``/fhir/metadata`` and the metadata test pick it
up from here::

    # scheduling/fhir.py
    from clinic.fhir_declaration import US_CORE, ResourceType, SearchParam

    def encounter_to_fhir(visit) -> dict:  # clinic.fhir_datatypes builders
        return clean({"resourceType": "Encounter", "id": str(visit.pk), ...})

    RESOURCES = (
        ResourceType(
            name="Encounter",
            model=Appointment,
            queryset=lambda: Appointment.objects.filter(checked_in_at__isnull=False),
            to_fhir=encounter_to_fhir,
            profile=US_CORE + "us-core-encounter",
            patient_path="patient",
            search=(
                SearchParam.reference("patient", "patient", target="Patient"),
                SearchParam.date("date", "start"),
            ),
            includes=("patient",),
            sorts={"date": "start"},
        ),
    )
"""

from dataclasses import replace
from functools import cache

from django.utils.module_loading import import_string

from clinic.fhir_declaration import ResourceType
from fhir import provenance
from fhir.errors import FhirError
from fhir.tables import check_parts

RESOURCE_MODULES = (
    "registration.fhir",
    "scheduling.fhir",
    "scheduling.fhir_directory",
    "fhir.groups",
    "alerts.fhir",
    "medications.fhir",
    "careplans.fhir",
    "diagnostics.fhir",
)


def restricted_path(declared: ResourceType) -> str:
    """The ORM path from a row to its patient's restriction."""
    return "__".join(filter(None, [declared.patient_path, "restriction"]))


def _unrestricted(declared: ResourceType) -> ResourceType:
    """``declared`` serving no restricted patient's data: a restricted chart opens
    only through break-glass, which a machine client cannot do (README, "FHIR
    API"). Every read, search, include, history and export goes through
    ``queryset``, so this one place withholds them all."""
    if declared.parts:
        parts = tuple(_unrestricted(part) for part in declared.parts)
        declared = replace(declared, parts=parts)
    if declared.patient_path is None or declared.computed:
        return declared
    rows, path = declared.queryset, restricted_path(declared)
    if not declared.patient_path:  # Patient: an equality the id walk's index holds
        return replace(declared, queryset=lambda: rows().filter(restriction=""))
    return replace(declared, queryset=lambda: rows().exclude(**{f"{path}__gt": ""}))


def withheld(declared: ResourceType, pk: int) -> bool:
    """Whether record ``pk`` exists but is withheld (a restricted patient's)."""
    if declared.patient_path is None or declared.computed:
        return False
    rows = declared.model._default_manager.filter(pk=pk)
    return rows.filter(**{f"{restricted_path(declared)}__gt": ""}).exists()


def _with_provenance(declared: ResourceType) -> ResourceType:
    """A type US Core asks ``_revinclude=Provenance:target`` of serves it."""
    if declared.name not in provenance.TARGETS:
        return declared
    return replace(declared, revincludes=(*declared.revincludes, provenance.REVINCLUDE))


@cache
def resource_types() -> dict[str, ResourceType]:
    found: dict[str, ResourceType] = {}
    declarations = [
        declared
        for module in RESOURCE_MODULES
        for declared in import_string(f"{module}.RESOURCES")
    ]
    for declared in [*declarations, provenance.provenance_type(resource_types)]:
        if declared.name in found:
            raise ValueError(f"{declared.name} is declared twice")
        check_parts(declared)
        found[declared.name] = _with_provenance(_unrestricted(declared))
    return dict(sorted(found.items()))


def resource_type(name: str) -> ResourceType:
    declared = resource_types().get(name)
    if declared is None:
        raise FhirError(
            400,
            "not-supported",
            f"This server has no resource type {name!r}; /fhir/metadata lists "
            "those it serves.",
        )
    return declared


def versioned_type(name: str) -> ResourceType:
    """A declared type that keeps versions (vread, _history); a computed one
    (Slot) has none."""
    declared = resource_type(name)
    if declared.computed:
        raise FhirError(
            405, "not-supported", f"{name} is computed, not stored: it has no history."
        )
    return declared
