"""How an app declares a FHIR resource type to the API (the ``fhir`` app serves it).

An app maps its own models in ``<app>/fhir.py`` and lists what it serves in a
module constant ``RESOURCES``; ``fhir/registry.py`` gathers those lists (it is the
project's top and may import every app). This module sits in clinic's core so
every app can import it. A declaration is data only: the HTTP layer (routing,
search parsing, keyset paging, Bundles, history, ETags, the access log, the
CapabilityStatement) interprets it, and the CapabilityStatement lists exactly
what is declared::

    from clinic.fhir_declaration import ResourceType, SearchParam

    RESOURCES = (
        ResourceType(
            name="Coverage",
            model=Coverage,
            queryset=lambda: Coverage.objects.select_related("payer"),
            to_fhir=coverage_to_fhir,          # obj -> dict, without ``meta``
            profile=US_CORE + "us-core-coverage",
            patient_path="patient",            # ORM path to the Patient
            search=(
                SearchParam.reference("patient", "patient", target="Patient"),
                SearchParam.token("status", "status", codes={"active": "active"}),
                SearchParam.date("period", "start_date"),
                SearchParam.string("payor-name", "payer__name"),
            ),
            includes=("patient",),               # _include=Coverage:patient
        ),
    )

Search values reach the ORM only as lookups on the declared ``fields`` (never as
SQL): a string parameter matches when any field starts with the value
(``:exact`` and ``:contains`` too; ``match="contains"`` for free text), a token
matches ``system|code`` (``codes`` maps a FHIR code to the stored value;
``systems`` maps an identifier system to its field), a reference takes
``Type/id`` or ``id`` (its field may be ``"pk"``: a resource served from the
same row as its target, like PractitionerRole), a date takes FHIR's prefixes
(``ge2020-01-01``). ``apply`` replaces the generic lookup with the app's own
queryset filter ``(queryset, modifier, values) -> queryset`` (values OR'd, as
the comma in FHIR means), e.g. to use an index the generic lookup would miss.

``sorts`` names the keys ``_sort`` accepts (FHIR name -> non-null ORM field; the
pk is always the tie-break, so declare only fields an index serves). ``meta``
(``versionId``, ``lastUpdated``) comes from the record's django-simple-history
rows and ``profile``; a mapper leaves it out.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"

SEARCH_TYPES = ("string", "token", "reference", "date", "number", "uri")
READ_INTERACTIONS = ("read", "vread", "history-instance", "history-type", "search-type")


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str
    fields: tuple[str, ...] = ()
    target: str = ""  # reference: the resource type it points to
    codes: Mapping[str, str] = field(
        default_factory=dict
    )  # token: FHIR code -> stored value
    systems: Mapping[str, str] = field(
        default_factory=dict
    )  # token: identifier system -> field
    apply: Callable[[Any, str, list], Any] | None = None
    documentation: str = ""
    # Where the value sits in the resource, as a dotted path ("Patient.name.family";
    # default: the parameter's name under the resource, any case): the metadata
    # test takes a value from a served resource there and searches for it.
    expression: str = ""
    # string: "start" (FHIR's default: a field starts with the value) or
    # "contains" (free text such as a one-line address: anywhere in it)
    match: str = "start"

    def __post_init__(self):
        if self.type not in SEARCH_TYPES:
            raise ValueError(f"{self.name}: unknown search type {self.type!r}")
        if self.type == "reference" and not self.target:
            raise ValueError(f"{self.name}: a reference names its target type")

    @classmethod
    def string(cls, name: str, *fields: str, **more) -> "SearchParam":
        return cls(name, "string", fields, **more)

    @classmethod
    def token(cls, name: str, *fields: str, **more) -> "SearchParam":
        return cls(name, "token", fields, **more)

    @classmethod
    def reference(cls, name: str, field_: str, *, target: str, **more):
        return cls(name, "reference", (field_,), target=target, **more)

    @classmethod
    def date(cls, name: str, *fields: str, **more) -> "SearchParam":
        return cls(name, "date", fields, **more)


@dataclass(frozen=True)
class Computed:
    """A resource type with no table behind it (Slot: the slot finder's free
    times), answered by the app itself: read and search only, no versions.

    ``read(ident)`` is the resource or None (404). ``search(params, *, after,
    count)`` is (resources, more): ``params`` maps each declared parameter (and
    ``_id``) to its occurrences, each a list of parsed values OR'd (dates as
    ranges with ``prefix``, ``start``, ``end``; tokens ``(system, code)``;
    references the id), ``after`` the id of the last resource of the page
    before (None first), and ``more`` whether resources follow the page. A
    value it cannot serve raises ``ValidationError`` (400)."""

    read: Callable[[str], dict | None]
    search: Callable[..., tuple[list[dict], bool]]
    # ``_revinclude`` of this type from another: (that type's declaration, a
    # page of its rows) -> the resources of this type pointing at them.
    revinclude: Callable[[Any, list], list[dict]] | None = None


def computed_by_ids(read, params: dict, *, after: str | None, count: int):
    """A computed search's ``_id`` answer (each ``_id`` occurrence AND'ed, its
    values OR'd), as ``Computed.search`` returns it; ``read(id)`` -> resource."""
    ids = set.intersection(*(set(v) for v in params["_id"]))
    found = [read(i) for i in sorted(ids) if (after or "") < i]
    found = [body for body in found if body]
    return found[:count], len(found) > count


COMPUTED_INTERACTIONS = ("read", "search-type")


@dataclass(frozen=True)
class ResourceType:
    """One FHIR resource type served from one model."""

    name: str  # "Patient"
    model: type
    queryset: Callable[[], Any]  # the rows served (search and read)
    to_fhir: Callable[[Any], dict]  # one row -> the resource, without meta
    profile: str = ""  # US Core profile URL, when US Core has one
    search: tuple[SearchParam, ...] = ()
    includes: tuple[str, ...] = ()  # own reference params _include may follow
    revincludes: tuple[str, ...] = ()  # "Type:param" of others pointing here
    sorts: Mapping[str, str] = field(
        default_factory=dict
    )  # _sort name -> ORM field (pk breaks ties)
    # ORM path from a row to its Patient ("" for Patient itself; None: no
    # patient's data, so no access-log row and no patient compartment).
    patient_path: str | None = None
    interactions: tuple[str, ...] = READ_INTERACTIONS
    # (row) -> (type, id) of the record that replaced it (a merged-away patient):
    # a read of it answers 410 Gone with a link to the survivor.
    replaced_by: Callable[[Any], tuple[str, str] | None] | None = None
    # POST /fhir/<name>: (resource dict, client name) -> the new row. Raises
    # ValidationError (400) or an ApplicationError (409, a conflict).
    create: Callable[..., Any] | None = None
    # The ORM paths ``to_fhir`` reads ("family_name", "order__patient_id"): a bulk
    # export then maps light rows of plain values (fhir/light_rows.py) instead of
    # model instances. Leave empty when the mapper needs a model's methods.
    light: tuple[str, ...] = ()
    # Served by the app rather than from ``model`` (then None, as are
    # ``queryset`` and ``to_fhir``; ``interactions``: COMPUTED_INTERACTIONS).
    computed: Computed | None = None
    # What this table's ids hold before the pk ("received-": Communication's
    # texts received, beside the outbox's plain ids).
    id_prefix: str = ""
    # More tables serving this type, each declared in full with its own
    # ``id_prefix`` and the same search parameters, includes and sorts (their
    # fields its own); no ``revincludes`` (fhir/tables.py serves them as one).
    parts: tuple["ResourceType", ...] = ()

    @classmethod
    def us_core(cls, name: str, model, to_fhir, **more) -> "ResourceType":
        """A type with a US Core profile named for it (``us-core-<name>``), served
        from ``model``'s default manager unless ``queryset`` says otherwise."""
        more.setdefault("queryset", model._default_manager.all)
        more.setdefault("profile", f"{US_CORE}us-core-{name.lower()}")
        return cls(name=name, model=model, to_fhir=to_fhir, **more)

    def param(self, name: str) -> SearchParam | None:
        return next((p for p in self.search if p.name == name), None)
