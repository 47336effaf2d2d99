"""US Core Patient. Search values become ORM lookups: the MRN through
``patient_mrn_q`` (the unique index), names through the trigram index on
``registration.search.SEARCH_TEXT`` (each word of the value starts a word of the
family, given or preferred name, as FHIR's default string match asks).
"""

from django.db.models import Q

from clinic.fhir_datatypes import (
    clean,
    clinic_system,
    codeable,
    fhir_date,
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
    return clean({"system": system, "value": str(text), "use": use, "rank": rank})


def _address(p: Patient) -> dict | None:
    """The home address, or None when none was given (an address of ``use``
    alone says nothing)."""
    lines = [p.address_line1, p.address_line2]
    where = clean(
        {"line": lines, "city": p.city, "state": p.state, "postalCode": p.postal_code}
    )
    if not where:
        return None
    return {"use": "home", **where, "country": p.country or None}


def patient_to_fhir(p: Patient) -> dict:
    names = [
        clean(
            {
                **human_name(p.family_name, [p.given_name, p.middle_name]),
                "suffix": [p.name_suffix] if p.name_suffix else [],
            }
        )
    ]
    if p.preferred_name:
        names.append(human_name(p.family_name, [p.preferred_name], use="usual"))
    emergency = None
    if p.emergency_contact_name:
        emergency = {
            "relationship": [
                codeable(None, None, text=p.emergency_contact_relationship or None)
                or {"text": "Emergency contact"}
            ],
            "name": {"text": p.emergency_contact_name},
            "telecom": [_telecom("phone", p.emergency_contact_phone, "mobile")],
        }
    deceased = {}
    if p.status == Patient.Status.DECEASED:
        deceased = {"deceasedDateTime": fhir_date(p.deceased_date)}
    link = []
    if p.merged_into_id:
        link = [
            {"other": reference("Patient", p.merged_into_id), "type": "replaced-by"}
        ]
    resource = {
        "resourceType": "Patient",
        "id": str(p.pk),
        "extension": [
            {
                "url": BIRTH_SEX,
                "valueCode": BIRTH_SEX_CODE.get(p.sex_at_birth, "UNK"),
            }
        ],
        "identifier": [identifier(MRN_SYSTEM, p.mrn, type_code="MR")],
        "active": p.status == Patient.Status.ACTIVE,
        "name": names,
        "telecom": [
            _telecom("phone", p.phone_mobile, "mobile", 1),
            _telecom("phone", p.phone_home, "home"),
            _telecom("email", p.email, "home"),
        ],
        "gender": GENDER.get(p.sex_at_birth, "unknown"),
        "birthDate": fhir_date(p.birth_date),
        **deceased,
        "address": [_address(p)],
        "contact": [emergency],
        "communication": [
            {
                "language": codeable(LANGUAGE_SYSTEM, p.preferred_language),
                "preferred": True,
            }
            if p.preferred_language
            else None
        ],
        "link": link,
    }
    return clean(resource)


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
