"""The clinic's directory as FHIR R4 / US Core resources: providers
(Practitioner, and the role each holds here: PractitionerRole) and locations.

Kept apart from ``scheduling/fhir.py`` (visits, schedules, slots): these are
registration-time reference data every other resource points at.
"""

from django.db.models import Prefetch

from clinic.fhir_datatypes import (
    NPI,
    clean,
    clinic_system,
    codeable,
    identifier,
    reference,
)
from clinic.fhir_declaration import ResourceType, SearchParam
from scheduling.models import AvailabilityRule, Location, Provider

NUCC = "http://nucc.org/provider-taxonomy"
LOCATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
LOCATION_KIND = {
    Location.Kind.CLINIC: ("OF", "Outpatient facility"),
    Location.Kind.INFUSION: ("INFUS", "Infusion clinic"),
    Location.Kind.LAB: ("LAB", "Laboratory"),
    Location.Kind.OFFICE: ("OF", "Outpatient facility"),
}


def _person_name(provider: Provider) -> dict:
    """ "Priya Raman" -> family Raman, given Priya (the directory keeps one line)."""
    given, _, family = provider.name.strip().rpartition(" ")
    return clean(
        {
            "use": "official",
            "text": str(provider),
            "family": family,
            "given": given.split(),
            "suffix": [provider.credentials],
        }
    )


def practitioner_to_fhir(provider: Provider) -> dict:
    return clean(
        {
            "resourceType": "Practitioner",
            "id": str(provider.pk),
            "identifier": [identifier(NPI, provider.npi)],
            "active": provider.is_active,
            "name": [_person_name(provider)],
        }
    )


def _location_ids(provider: Provider) -> list[int]:
    return sorted({rule.location_id for rule in provider.availability_rules.all()})


def practitioner_role_to_fhir(provider: Provider) -> dict:
    return clean(
        {
            "resourceType": "PractitionerRole",
            "id": str(provider.pk),
            "active": provider.is_active,
            "practitioner": reference("Practitioner", provider.pk, str(provider)),
            "specialty": [
                codeable(NUCC, provider.taxonomy_code, provider.specialty or None)
                or codeable(None, None, text=provider.specialty or None)
            ],
            "location": [reference("Location", pk) for pk in _location_ids(provider)],
        }
    )


def location_to_fhir(location: Location) -> dict:
    kind = LOCATION_KIND.get(location.kind)
    return clean(
        {
            "resourceType": "Location",
            "id": str(location.pk),
            "identifier": [identifier(clinic_system("location"), location.code)],
            "status": "active" if location.is_active else "inactive",
            "name": location.name,
            "mode": "instance",
            "type": [codeable(LOCATION_TYPE, *kind)] if kind else [],
            "address": {"text": location.address},
        }
    )


def _providers():
    return Provider.objects.prefetch_related(
        Prefetch(
            "availability_rules",
            queryset=AvailabilityRule.objects.only("provider", "location"),
        )
    )


BY_NAME = {"name": "name"}
CONTAINS = {"match": "contains"}

PRACTITIONER = ResourceType.us_core(
    "Practitioner",
    Provider,
    practitioner_to_fhir,
    sorts=BY_NAME,
    search=(
        SearchParam.token("identifier", systems={NPI: "npi"}),
        SearchParam.string("name", "name", **CONTAINS),
    ),
)

PRACTITIONER_ROLE = ResourceType.us_core(
    "PractitionerRole",
    Provider,
    practitioner_role_to_fhir,
    queryset=_providers,
    includes=("practitioner",),
    search=(
        SearchParam.reference("practitioner", "pk", target="Practitioner"),
        SearchParam.token("specialty", systems={NUCC: "taxonomy_code"}),
    ),
)

LOCATION = ResourceType.us_core(
    "Location",
    Location,
    location_to_fhir,
    sorts=BY_NAME,
    search=(
        SearchParam.string("name", "name", **CONTAINS),
        SearchParam.string("address", "address", **CONTAINS),
    ),
)

RESOURCES = (PRACTITIONER, PRACTITIONER_ROLE, LOCATION)
