"""US Core Patient. Search values become ORM lookups: the MRN through
``patient_mrn_q`` (the unique index), names through the trigram index on
``registration.search.SEARCH_TEXT`` (each word of the value starts a word of the
family, given or preferred name, as FHIR's default string match asks).
"""

from django.db.models import Q

from clinic.fhir_datatypes import (
    clinic_system,
    codeable,
    human_name,
    identifier,
    reference,
)
from clinic.fhir_declaration import US_CORE, ResourceType, SearchParam
from registration.models import Patient
from registration.search import SEARCH_TEXT
from registration.selectors import patient_mrn_q

MRN_SYSTEM = clinic_system("mrn")
BIRTH_SEX = US_CORE + "us-core-birthsex"
LANGUAGE_SYSTEM = "urn:ietf:bcp:47"

GENDER = {"F": "female", "M": "male", "X": "other", "U": "unknown"}
BIRTH_SEX_CODE = {"F": "F", "M": "M"}  # anything else: UNK


def _telecom(system: str, value, use: str, rank: int | None = None):
    # A stored number was checked when it was typed: E.164 without validating it
    # again (str() or len() would, at a cost a bulk export of every patient
    # feels). A light row (fhir/light_rows.py) holds the stored text itself.
    text = getattr(value, "as_e164", value) if value is not None else None
    if not text:
        return None
    point = {"system": system, "value": str(text), "use": use}
    if rank is not None:
        point["rank"] = rank
    return point


def _address(p: Patient) -> dict | None:
    """The home address, or None when none was given (an address of ``use``
    alone says nothing)."""
    where = {}
    if lines := [line for line in (p.address_line1, p.address_line2) if line]:
        where["line"] = lines
    for key, value in (
        ("city", p.city),
        ("state", p.state),
        ("postalCode", p.postal_code),
    ):
        if value:
            where[key] = value
    if not where:
        return None
    if p.country:
        where["country"] = p.country
    return {"use": "home", **where}


def _names(p: Patient) -> list[dict]:
    official = human_name(p.family_name, [p.given_name, p.middle_name])
    if p.name_suffix:
        official["suffix"] = [p.name_suffix]
    if not p.preferred_name:
        return [official]
    return [official, human_name(p.family_name, [p.preferred_name], use="usual")]


def _emergency_contact(p: Patient) -> dict:
    relationship = p.emergency_contact_relationship
    contact = {
        "relationship": [{"text": relationship or "Emergency contact"}],
        "name": {"text": p.emergency_contact_name},
    }
    if phone := _telecom("phone", p.emergency_contact_phone, "mobile"):
        contact["telecom"] = [phone]
    return contact


def _said(resource: dict, key: str, items: list) -> None:
    """``resource[key]`` = the items that say something, when any does."""
    if items := [item for item in items if item]:
        resource[key] = items


def patient_to_fhir(p: Patient) -> dict:
    """A patient as US Core Patient, built without empty members (a bulk export
    maps every patient: no pass of ``clean``)."""
    resource = {
        "resourceType": "Patient",
        "id": str(p.pk),
        "extension": [
            {"url": BIRTH_SEX, "valueCode": BIRTH_SEX_CODE.get(p.sex_at_birth, "UNK")}
        ],
    }
    if p.mrn:
        resource["identifier"] = [identifier(MRN_SYSTEM, p.mrn, type_code="MR")]
    resource["active"] = p.status == Patient.Status.ACTIVE
    resource["name"] = _names(p)
    _said(
        resource,
        "telecom",
        [
            _telecom("phone", p.phone_mobile, "mobile", 1),
            _telecom("phone", p.phone_home, "home"),
            _telecom("email", p.email, "home"),
        ],
    )
    resource["gender"] = GENDER.get(p.sex_at_birth, "unknown")
    if p.birth_date:
        resource["birthDate"] = p.birth_date.isoformat()
    if p.status == Patient.Status.DECEASED and p.deceased_date:
        resource["deceasedDateTime"] = p.deceased_date.isoformat()
    if address := _address(p):
        resource["address"] = [address]
    if p.emergency_contact_name:
        resource["contact"] = [_emergency_contact(p)]
    if p.preferred_language:
        language = codeable(LANGUAGE_SYSTEM, p.preferred_language)
        resource["communication"] = [{"language": language, "preferred": True}]
    if p.merged_into_id:
        survivor = reference("Patient", p.merged_into_id)
        resource["link"] = [{"other": survivor, "type": "replaced-by"}]
    return resource


def _patient_survivor(p: Patient) -> tuple[str, str] | None:
    if p.status == Patient.Status.MERGED and p.merged_into_id:
        return ("Patient", str(p.merged_into_id))
    return None


def _name_words(value: str) -> list[str]:
    return [w for w in value.lower().split() if w]


def _patient_name(rows, modifier: str, values: list[str]):
    """``name``: every word of a value starts a word of the family, given or
    preferred name (``:contains``: occurs anywhere; ``:exact``: the family or
    given name is the value, case and all)."""
    if modifier == "exact":
        matches = Q()
        for value in values:
            matches |= Q(family_name=value) | Q(given_name=value)
        return rows.filter(matches)
    rows = rows.annotate(search_text=SEARCH_TEXT)
    matches = Q()
    for value in values:
        words = Q()
        for word in _name_words(value):
            fragment = word if modifier == "contains" else f" {word}"
            words &= Q(search_text__contains=fragment)
        matches |= words
    return rows.filter(matches)


def _patient_identifier(rows, modifier: str, values: list[tuple[str, str]]):
    """``identifier=urn:clinicops:mrn|M123`` (or the bare MRN): the unique index."""
    matches = Q(pk__in=[])
    for system, code in values:
        if system in (None, MRN_SYSTEM) and code:
            matches |= patient_mrn_q(mrn=code)
    return rows.filter(matches)


# What patient_to_fhir reads (a bulk export's light rows).
PATIENT_FIELDS = (
    "mrn",
    "status",
    "family_name",
    "given_name",
    "middle_name",
    "name_suffix",
    "preferred_name",
    "birth_date",
    "sex_at_birth",
    "deceased_date",
    "merged_into_id",
    "email",
    "phone_mobile",
    "phone_home",
    "postal_code",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "country",
    "preferred_language",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
)

PATIENT = ResourceType.us_core(
    "Patient",
    Patient,
    patient_to_fhir,
    queryset=lambda: Patient.objects.exclude(status=Patient.Status.MERGED),
    patient_path="",
    replaced_by=_patient_survivor,
    light=PATIENT_FIELDS,
    sorts={"birthdate": "birth_date"},
    search=(
        SearchParam.token(
            "identifier",
            apply=_patient_identifier,
            documentation=f"The MRN: {MRN_SYSTEM}|<mrn> or the MRN alone.",
        ),
        SearchParam.string(
            "name",
            apply=_patient_name,
            documentation="Each word starts a word of the family, given or "
            "preferred name.",
        ),
        SearchParam.string("family", "family_name", expression="Patient.name.family"),
        SearchParam.string(
            "given",
            "given_name",
            "middle_name",
            "preferred_name",
            expression="Patient.name.given",
        ),
        SearchParam.date("birthdate", "birth_date"),
        SearchParam.token(
            "gender", "sex_at_birth", codes={v: k for k, v in GENDER.items()}
        ),
    ),
)
