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

from functools import cache

from django.utils.module_loading import import_string

from clinic.fhir_declaration import ResourceType
from fhir.errors import FhirError

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


@cache
def resource_types() -> dict[str, ResourceType]:
    found: dict[str, ResourceType] = {}
    for module in RESOURCE_MODULES:
        for declared in import_string(f"{module}.RESOURCES"):
            if declared.name in found:
                raise ValueError(f"{declared.name} is declared twice")
            found[declared.name] = declared
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
