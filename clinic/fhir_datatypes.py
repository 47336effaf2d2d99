"""FHIR R4 data types as plain dicts, shared by every app's ``<app>/fhir.py``.

An app's mapper turns one of its rows into one resource (``model -> dict``) with
these builders, so every resource spells a reference, a code or a moment the same
way. FHIR forbids empty strings, arrays and objects: ``clean`` drops them, and
every builder returns ``None`` when it has nothing to say, so a mapper can write
``{"birthDate": fhir_date(p.date_of_birth)}`` and let ``clean`` tidy up.

The builders take text (or None) and build their output clean, without a pass of
``clean`` (the mappers a bulk export runs a million times build whole resources
that way: ``registration/fhir/patients.py``, ``diagnostics/fhir.py``); what they
return is the same as ``clean`` of the full form, by ``tests/fhir/test_datatypes.py``.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

# Code systems (FHIR R4 / US Core names for them).
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
NPI = "http://hl7.org/fhir/sid/us-npi"
UCUM = "http://unitsofmeasure.org"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"  # identifier types (MR)
# The clinic's own identifiers (MRN, visit numbers, ...): one stable namespace,
# independent of the host name the API happens to be served on.
CLINIC_SYSTEM = "urn:clinicops"


def clinic_system(name: str) -> str:
    """``urn:clinicops:mrn`` and the like: the system of one of our identifiers."""
    return f"{CLINIC_SYSTEM}:{name}"


_DROPPED = (None, "", [], {})
# Leaves kept as they are (an empty string aside); anything else is cleaned.
_PLAIN = frozenset({int, float, bool})


def _kept(item):
    """``item`` cleaned, or ``_DROPPED[0]`` (None) when FHIR forbids it."""
    kind = item.__class__
    if kind is str:
        return item or None
    if kind in _PLAIN:
        return item
    if item is None:
        return None
    item = clean(item)
    return None if item in _DROPPED else item


def clean(value):
    """``value`` without None, empty strings, empty lists and empty dicts, at any
    depth (FHIR JSON may not carry them). Every resource of a bulk export passes
    through here, hence the plain loops and the shortcut for common leaves."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = _kept(item)
            if item is not None:
                out[key] = item
        return out
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            item = _kept(item)
            if item is not None:
                out.append(item)
        return out
    return _number(value)


def fhir_date(day: date | None) -> str | None:
    return day.isoformat() if day else None


def instant(moment: datetime | None) -> str | None:
    """An ``instant`` / ``dateTime`` with its zone (UTC, seconds precision)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def date_time(value: date | datetime | None) -> str | None:
    """A ``dateTime`` to the precision known: a moment, or a day alone."""
    if isinstance(value, datetime):
        return instant(value)
    return fhir_date(value)


def period(
    start: date | datetime | None, end: date | datetime | None = None
) -> dict | None:
    """A Period of moments or of days (``2024-03-01``)."""
    out = {}
    if start := date_time(start):
        out["start"] = start
    if end := date_time(end):
        out["end"] = end
    return out or None


def reference(resource_type: str, pk, display: str | None = None) -> dict | None:
    if pk is None:
        return None
    if display:
        return {"reference": f"{resource_type}/{pk}", "display": display}
    return {"reference": f"{resource_type}/{pk}"}


def practitioner(user) -> dict | None:
    """A member of staff (every staff foreign key is to the user), named as pages
    name them: ``Practitioner/<provider id>`` when the user is one of the
    directory's providers (the Practitioners the API serves), else the name alone.
    Querysets ``select_related("<user>__provider")``."""
    if user is None:
        return None
    # Django's get_full_name, spelled out: a bulk export's light rows
    # (fhir/light_rows.py) carry the names, not the method.
    name = f"{user.first_name} {user.last_name}".strip() or user.username
    provider = getattr(user, "provider", None)
    if provider:
        return reference("Practitioner", provider.pk, name)
    return {"display": name} if name else None


def coding(system: str | None, code: str | None, display: str | None = None):
    if not code:
        return None
    out = {"system": system, "code": str(code)} if system else {"code": str(code)}
    if display:
        out["display"] = display
    return out


def codeable(
    system: str | None,
    code: str | None,
    display: str | None = None,
    *,
    text: str | None = None,
) -> dict | None:
    """A CodeableConcept of one coding; ``text`` alone when there is no code."""
    text = text or display
    if not code:
        return {"text": text} if text else None
    concept = {"coding": [coding(system, code, display)]}
    if text:
        concept["text"] = text
    return concept


def identifier(system: str, value: str | None, *, type_code: str | None = None):
    if not value:
        return None
    out = {"use": "usual"}
    if type_code:
        out["type"] = codeable(V2_0203, type_code)
    if system:
        out["system"] = system
    out["value"] = value
    return out


def clinic_identifier(name: str, value: str | None, *, type_code: str | None = None):
    """One of the clinic's own identifiers (``urn:clinicops:<name>``)."""
    return identifier(clinic_system(name), value, type_code=type_code)


def human_name(family: str, given: list[str], *, use: str = "official"):
    out = {"use": use}
    if family:
        out["family"] = family
    if given := [g for g in given if g]:
        out["given"] = given
    return out


def _number(value):
    """A number as JSON carries it: a Decimal as an int when whole, else a float."""
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral() else int(value)
    return value


def quantity(value, unit: str | None = None, *, ucum: bool = True) -> dict | None:
    if value is None:
        return None
    out = {"value": _number(value)}
    if unit:
        out["unit"] = unit
        if ucum:
            out["system"] = UCUM
        out["code"] = unit
    return out


def meta(*, version_id, last_updated: datetime | None, profile: str | None = None):
    out = {}
    if version_id is not None:
        out["versionId"] = str(version_id)
    if last_updated is not None:
        out["lastUpdated"] = instant(last_updated)
    if profile:
        out["profile"] = [profile]
    return out
