"""``/fhir/metadata``: the CapabilityStatement, generated from the registry.

It lists exactly what the declarations serve (``tests/fhir/test_metadata.py``
exercises every resource, interaction and search parameter it names), so a
resource type added to an app's ``RESOURCES`` appears here with nothing else.
"""

from django.conf import settings

from clinic.clock import now
from clinic.fhir_datatypes import instant
from fhir.bulk import EXPORT_OPERATIONS
from fhir.registry import resource_types
from fhir.search import MAX_COUNT

SMART_OAUTH = (
    "http://fhir-registry.smarthealthit.org/CodeSystem/restful-security-service"
)
US_CORE_SERVER = "http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server"
COMMON_PARAMS = (
    ("_id", "token", "The resource's id."),
    ("_lastUpdated", "date", "When the record last changed (from its history)."),
)


def _param(name: str, kind: str, documentation: str = "") -> dict:
    body = {"name": name, "type": kind}
    if documentation:
        body["documentation"] = documentation
    return body


def _resource(resource) -> dict:
    interactions = [{"code": code} for code in resource.interactions]
    if resource.create:
        interactions.append({"code": "create"})
    sorts = ", ".join(("_id", *resource.sorts))
    body = {
        "type": resource.name,
        "interaction": interactions,
        "versioning": "versioned",
        "readHistory": True,
        "conditionalRead": "not-match",
        "searchParam": [
            *(_param(*p) for p in COMMON_PARAMS),
            *(_param(p.name, p.type, p.documentation) for p in resource.search),
        ],
        "searchInclude": [f"{resource.name}:{name}" for name in resource.includes],
        "searchRevInclude": list(resource.revincludes),
        "documentation": f"_sort takes {sorts} (each also descending with -); "
        f"_count at most {MAX_COUNT} (larger is lowered, with a warning).",
    }
    if resource.profile:
        body["supportedProfile"] = [resource.profile]
    if resource.computed:
        body.update(
            versioning="no-version",
            readHistory=False,
            conditionalRead="not-supported",
            # _id but no _lastUpdated: nothing is stored to have changed.
            searchParam=[
                _param(*COMMON_PARAMS[0]),
                *body["searchParam"][len(COMMON_PARAMS) :],
            ],
            documentation=f"Computed, not stored; _count at most {MAX_COUNT}.",
        )
    if resource.name in EXPORT_OPERATIONS:
        body["operation"] = [EXPORT_OPERATIONS[resource.name]]
    return {k: v for k, v in body.items() if v != []}


def capability_statement(base: str) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": instant(now()),
        "kind": "instance",
        "software": {"name": "ClinicOps"},
        "implementation": {
            "description": f"{settings.CLINIC_NAME} FHIR R4 API",
            "url": base.rstrip("/"),
        },
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "instantiates": [US_CORE_SERVER],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [
                        {
                            "coding": [
                                {"system": SMART_OAUTH, "code": "SMART-on-FHIR"}
                            ],
                            "text": "SMART Backend Services (bearer tokens)",
                        }
                    ],
                },
                "resource": [_resource(r) for r in resource_types().values()],
                "operation": [EXPORT_OPERATIONS[""]],
            }
        ],
    }
