"""What the API serves of scheduling: Appointment, Encounter, Schedule and Slot, with
the searches US Core asks of them (``clinic.fhir_declaration`` explains how a
declaration is read)."""

from django.db.models import Prefetch, Q

from clinic.fhir_datatypes import CPT, NPI
from clinic.fhir_declaration import (
    COMPUTED_INTERACTIONS,
    US_CORE,
    Computed,
    ResourceType,
    SearchParam,
)
from scheduling import slots
from scheduling.fhir.booking import appointment_create
from scheduling.fhir.free_slots import slot_read, slot_search
from scheduling.fhir.mappers import (
    CHECKED_IN,
    ENCOUNTER_CLASS,
    STATUSES,
    TYPE_SYSTEM,
    VISIT_SYSTEM,
    appointment_to_fhir,
    encounter_to_fhir,
    schedule_to_fhir,
    visit_type_q,
)
from scheduling.models import Appointment, AvailabilityRule, Provider

NOTHING = Q(pk__in=[])


def _stored_statuses(column: int) -> dict[str, list[str]]:
    """FHIR status code -> the visit statuses it stands for."""
    found: dict[str, list[str]] = {}
    for stored, codes in STATUSES.items():
        found.setdefault(codes[column], []).append(stored)
    return found


def _status(column: int, *, unserved: tuple[str, ...] = ()):
    by_code = _stored_statuses(column)
    for code in unserved:
        del by_code[code]

    def apply(rows, _modifier, tokens):
        wanted = [s for _system, code in tokens for s in by_code.get(code, [])]
        return rows.filter(status__in=wanted)

    codes = ", ".join(sorted(by_code))
    return SearchParam.token("status", apply=apply, documentation=f"One of: {codes}.")


def _visit_identifier(rows, _modifier, tokens):
    """``identifier=urn:clinicops:visit|<n>`` (or the number alone)."""
    pks = [
        int(code)
        for system, code in tokens
        if system in (None, VISIT_SYSTEM) and code.isascii() and code.isdigit()
    ]
    return rows.filter(pk__in=[pk for pk in pks if pk < 2**63])


def _visit_type(rows, _modifier, tokens):
    return rows.filter(visit_type_q(tokens, path="appointment_type__"))


def _encounter_class(rows, _modifier, tokens):
    """AMB for a visit anywhere but a short-stay place (``ENCOUNTER_CLASS``)."""
    short_stay = [kind for kind, (code, _d) in ENCOUNTER_CLASS.items()]
    codes = {code for _system, code in tokens}
    matches = NOTHING
    if "AMB" in codes:
        matches |= ~Q(location__kind__in=short_stay)
    for kind, (code, _display) in ENCOUNTER_CLASS.items():
        if code in codes:
            matches |= Q(location__kind=kind)
    return rows.filter(matches)


def _visits():
    return Appointment.objects.select_related(
        "patient", "provider", "location", "appointment_type"
    )


def _visit_params(
    *, status: SearchParam, type_name: str, date: str, when: str, at: dict
) -> tuple[SearchParam, ...]:
    """The searches Appointment and Encounter share (``date`` searches the
    ``date`` field, described as ``when``; ``at`` maps a parameter to where the
    resource shows its value)."""
    return (
        SearchParam.reference(
            "patient", "patient", target="Patient", expression=at["patient"]
        ),
        SearchParam.reference(
            "practitioner",
            "provider",
            target="Practitioner",
            expression=at["practitioner"],
        ),
        SearchParam.reference(
            "location", "location", target="Location", expression=at["location"]
        ),
        status,
        SearchParam.token(
            "identifier",
            apply=_visit_identifier,
            documentation=f"The visit number: {VISIT_SYSTEM}|<n>.",
        ),
        SearchParam.date("date", date, documentation=when, expression=at["date"]),
        SearchParam.token(
            type_name,
            expression=at[type_name],
            apply=_visit_type,
            documentation=f"The visit type: {CPT}|<code> or {TYPE_SYSTEM}|<n>.",
        ),
    )


APPOINTMENT = ResourceType(
    name="Appointment",
    model=Appointment,
    queryset=_visits,
    to_fhir=appointment_to_fhir,
    patient_path="patient",
    search=_visit_params(
        status=_status(0),
        type_name="service-type",
        date="start",
        when="The visit's start.",
        at={
            "patient": "Appointment.participant.actor",
            "practitioner": "Appointment.participant.actor",
            "location": "Appointment.participant.actor",
            "date": "Appointment.start",
            "service-type": "Appointment.serviceType",
        },
    ),
    includes=("patient",),
    sorts={"date": "start"},
    create=appointment_create,
)

ENCOUNTER = ResourceType(
    name="Encounter",
    model=Appointment,
    queryset=lambda: _visits().filter(CHECKED_IN),
    to_fhir=encounter_to_fhir,
    profile=US_CORE + "us-core-encounter",
    patient_path="patient",
    search=(
        *_visit_params(
            status=_status(1, unserved=("planned",)),
            type_name="type",
            date="arrived_at",
            when="When the patient was checked in.",
            at={
                "patient": "Encounter.subject",
                "practitioner": "Encounter.participant.individual",
                "location": "Encounter.location.location",
                "date": "Encounter.period",
                "type": "Encounter.type",
            },
        ),
        SearchParam.token(
            "class",
            apply=_encounter_class,
            documentation="AMB (ambulatory) or SS (short stay: the infusion unit).",
        ),
    ),
    includes=("patient",),
    sorts={"date": "start"},
)


def _schedule_actor(rows, _modifier, pks):
    return rows.filter(pk__in=[pk for pk in pks if pk is not None])


def _rules():
    return AvailabilityRule.objects.select_related("location").order_by(
        "location__name"
    )


def _schedule(provider: Provider) -> dict:
    """A provider's Schedule; a search prefetched their hours (a version read
    from history did not)."""
    rules = getattr(provider, "fhir_rules", None)
    if rules is None:
        rules = _rules().filter(provider_id=provider.pk)
    places = {rule.location_id: rule.location for rule in rules}
    return schedule_to_fhir(provider, locations=list(places.values()))


def _providers():
    return Provider.objects.prefetch_related(
        Prefetch("availability_rules", queryset=_rules(), to_attr="fhir_rules")
    )


SCHEDULE = ResourceType(
    name="Schedule",
    model=Provider,
    queryset=_providers,
    to_fhir=_schedule,
    search=(
        SearchParam.reference(
            "actor",
            "pk",
            target="Practitioner",
            apply=_schedule_actor,
            documentation="Practitioner/<id>: the provider's schedule.",
        ),
        SearchParam.token("identifier", "npi", systems={NPI: "npi"}),
        SearchParam.token("active", "is_active", codes={"true": True, "false": False}),
    ),
)

SLOT = ResourceType(
    name="Slot",
    model=None,
    queryset=None,
    to_fhir=None,
    computed=Computed(read=slot_read, search=slot_search),
    interactions=COMPUTED_INTERACTIONS,
    search=(
        SearchParam(
            "schedule",
            "reference",
            target="Schedule",
            documentation="Schedule/<id>: a provider.",
        ),
        SearchParam.date(
            "start",
            documentation="Repeat for a span (start=ge...&start=lt...); without "
            f"one, the next {slots.DEFAULT_SEARCH_DAYS} days.",
        ),
        SearchParam.token("status", documentation="free (only free slots exist)."),
        SearchParam.token(
            "service-type",
            expression="Slot.serviceType",
            documentation=f"The visit type: {CPT}|<code> or {TYPE_SYSTEM}|<n>; "
            "without one, every type.",
        ),
    ),
)

RESOURCES = (APPOINTMENT, ENCOUNTER, SCHEDULE, SLOT)
