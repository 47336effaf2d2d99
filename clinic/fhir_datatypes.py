"""FHIR R4 data types as plain dicts, shared by every app's ``<app>/fhir.py``.

An app's mapper turns one of its rows into one resource (``model -> dict``) with
these builders, so every resource spells a reference, a code or a moment the same
way. FHIR forbids empty strings, arrays and objects: ``clean`` drops them, and
every builder returns ``None`` when it has nothing to say, so a mapper can write
``{"birthDate": fhir_date(p.date_of_birth)}`` and let ``clean`` tidy up.
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
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral() else int(value)
    return value


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
    return clean({"start": date_time(start), "end": date_time(end)}) or None


def reference(resource_type: str, pk, display: str | None = None) -> dict | None:
    if pk is None:
        return None
    return clean({"reference": f"{resource_type}/{pk}", "display": display})


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
    return (
        reference("Practitioner", provider.pk, name) if provider else {"display": name}
    )


def coding(system: str | None, code: str | None, display: str | None = None):
    if not code:
        return None
    return clean({"system": system, "code": str(code), "display": display})


def codeable(
    system: str | None,
    code: str | None,
    display: str | None = None,
    *,
    text: str | None = None,
) -> dict | None:
    """A CodeableConcept of one coding; ``text`` alone when there is no code."""
    concept = {"coding": [coding(system, code, display)], "text": text or display}
    return clean(concept) or None


def identifier(system: str, value: str | None, *, type_code: str | None = None):
    if not value:
        return None
    kind = codeable(V2_0203, type_code) if type_code else None
    return clean({"use": "usual", "type": kind, "system": system, "value": value})


def clinic_identifier(name: str, value: str | None, *, type_code: str | None = None):
    """One of the clinic's own identifiers (``urn:clinicops:<name>``)."""
    return identifier(clinic_system(name), value, type_code=type_code)


def human_name(family: str, given: list[str], *, use: str = "official"):
    return clean({"use": use, "family": family, "given": [g for g in given if g]})


def quantity(value, unit: str | None = None, *, ucum: bool = True) -> dict | None:
    if value is None:
        return None
    system = UCUM if ucum and unit else None
    return clean({"value": value, "unit": unit, "system": system, "code": unit})


def meta(*, version_id, last_updated: datetime | None, profile: str | None = None):
    return clean(
        {
            "versionId": str(version_id) if version_id is not None else None,
            "lastUpdated": instant(last_updated),
            "profile": [profile] if profile else [],
        }
    )
