"""Appointment, Encounter and Schedule: a visit and a provider's time as R4.

* ``Appointment/<pk>``: every visit, whatever its status.
* ``Encounter/<pk>``: the same visit once checked in (``CHECKED_IN``); same id.
* ``Schedule/<pk>``: one per provider (the bookable person; rooms follow the
  visit, chosen by the booking service).

Plain ``model -> dict`` functions built with ``clinic.fhir_datatypes``, without
``meta`` (the API adds it from each row's change history).
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Q

from clinic.fhir_datatypes import (
    CPT,
    NPI,
    clean,
    clinic_system,
    codeable,
    coding,
    identifier,
    instant,
    period,
    reference,
)
from scheduling import slots
from scheduling.models import Appointment, AppointmentType, Location, Provider

US_CORE_ENCOUNTER = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-encounter"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
VISIT_SYSTEM = clinic_system("visit")
TYPE_SYSTEM = clinic_system("appointment-type")

S = Appointment.Status
# Each visit status as (Appointment.status, Encounter.status) in R4's words.
# R4 has no "in progress" for an appointment: a roomed patient is "checked-in"
# (pre-visit work done, the encounter may begin) while the Encounter says
# "in-progress". A visit cancelled after check-in (the patient left unseen) is a
# cancelled encounter. Only a visit checked in is served as an Encounter
# (``CHECKED_IN``); its versions from before check-in read as planned.
STATUSES = {
    S.SCHEDULED: ("booked", "planned"),
    S.CONFIRMED: ("booked", "planned"),
    S.ARRIVED: ("arrived", "arrived"),
    S.IN_ROOM: ("checked-in", "in-progress"),
    S.COMPLETED: ("fulfilled", "finished"),
    S.CANCELLED: ("cancelled", "cancelled"),
    S.NO_SHOW: ("noshow", "cancelled"),
}
# Encounter.class (v3 ActCode) by the kind of place the visit happens.
ENCOUNTER_CLASS = {
    Location.Kind.INFUSION: ("SS", "short stay"),
}
AMBULATORY = ("AMB", "ambulatory")
# Encounter.statusHistory: the stamps that open each status.
ENCOUNTER_STAMPS = [
    ("arrived", "arrived_at"),
    ("in-progress", "in_room_at"),
    ("finished", "completed_at"),
    ("cancelled", "cancelled_at"),
]


# Which visits are Encounters: those checked in, whatever happened next (an
# undone check-in clears the stamp).
CHECKED_IN = Q(arrived_at__isnull=False)


def _patient(appointment: Appointment) -> dict | None:
    patient = appointment.patient
    return reference("Patient", patient.pk, patient.display_name)


def _practitioner(provider: Provider | None) -> dict | None:
    if provider is None:
        return None
    return reference("Practitioner", provider.pk, str(provider))


def _location(location: Location | None) -> dict | None:
    if location is None:
        return None
    return reference("Location", location.pk, location.name)


def visit_type(appointment_type: AppointmentType) -> dict | None:
    """The visit type as a concept: its CPT code when it has a default billing
    code (US Core's encounter-type binding), and our own code for it."""
    concept = {
        "coding": [
            coding(CPT, appointment_type.billing_code),
            coding(TYPE_SYSTEM, appointment_type.pk, appointment_type.name),
        ],
        "text": appointment_type.name,
    }
    return clean(concept) or None


def visit_type_q(tokens, *, path: str = "") -> Q:
    """The visit types a token search names, by CPT code or by our own code
    (its number); ``path`` leads from the rows searched to the type."""
    matches = Q(pk__in=[])
    for system, code in tokens:
        if system in (None, CPT):
            matches |= Q(**{f"{path}billing_code": code})
        if system in (None, TYPE_SYSTEM) and code.isascii() and code.isdigit():
            matches |= Q(**{f"{path}pk": int(code[:18])})
    return matches


def organization() -> dict:
    """The clinic, as a reference by its NPI (the organization that provides
    every visit)."""
    return clean(
        {
            "identifier": {"system": NPI, "value": settings.CLINIC_NPI},
            "display": settings.CLINIC_NAME,
        }
    )


def appointment_to_fhir(appointment: Appointment) -> dict:
    """One visit as an R4 Appointment: who, with whom, where, when, its status.

    The patient's participation is "needs-action" until the visit is confirmed
    or checked in; the clinic's side is always accepted."""
    waiting = appointment.status == S.SCHEDULED
    participants = [
        {
            "actor": _patient(appointment),
            "required": "required",
            "status": "needs-action" if waiting else "accepted",
        },
        {
            "actor": _practitioner(appointment.provider),
            "type": [codeable(PARTICIPATION_TYPE, "PPRF", "primary performer")],
            "required": "required",
            "status": "accepted",
        },
        {
            "actor": _location(appointment.location),
            "required": "required",
            "status": "accepted",
        },
    ]
    cancelled = appointment.status == S.CANCELLED
    return clean(
        {
            "resourceType": "Appointment",
            "id": str(appointment.pk),
            "identifier": [identifier(VISIT_SYSTEM, str(appointment.pk))],
            "status": STATUSES[appointment.status][0],
            "cancelationReason": (
                codeable(None, None, text=appointment.cancel_reason)
                if cancelled
                else None
            ),
            "serviceType": [visit_type(appointment.appointment_type)],
            "start": instant(appointment.start),
            "end": instant(appointment.end),
            "minutesDuration": appointment.duration_minutes,
            "created": instant(appointment.booked_at),
            "comment": appointment.notes,
            "participant": [p for p in participants if p["actor"]],
        }
    )


def _status_history(appointment: Appointment) -> list[dict]:
    """Each status the encounter went through, from its stamps; every one but
    the last ends where the next begins."""
    stamps = [
        (status, getattr(appointment, field))
        for status, field in ENCOUNTER_STAMPS
        if getattr(appointment, field) is not None
    ]
    stamps.sort(key=lambda item: item[1])
    history = []
    for index, (status, moment) in enumerate(stamps):
        ends = stamps[index + 1][1] if index + 1 < len(stamps) else None
        history.append({"status": status, "period": period(moment, ends)})
    return history


def _location_status(appointment: Appointment, ended) -> str:
    if ended:
        return "completed"
    return "active" if appointment.arrived_at else "planned"


def encounter_to_fhir(appointment: Appointment) -> dict:
    """A checked-in visit as a US Core Encounter (``CHECKED_IN`` says which).

    The encounter runs from check-in to completion (or cancellation); a visit
    still going has an open period."""
    kind = ENCOUNTER_CLASS.get(appointment.location.kind, AMBULATORY)
    ended = None
    if appointment.arrived_at:
        cancelled = appointment.status == S.CANCELLED
        ended = appointment.completed_at or (
            appointment.cancelled_at if cancelled else None
        )
    return clean(
        {
            "resourceType": "Encounter",
            "id": str(appointment.pk),
            "identifier": [identifier(VISIT_SYSTEM, str(appointment.pk))],
            "status": STATUSES[appointment.status][1],
            "statusHistory": _status_history(appointment)[:-1],
            "class": coding(ACT_CODE, *kind),
            "type": [visit_type(appointment.appointment_type)],
            "subject": _patient(appointment),
            "participant": [
                {
                    "type": [codeable(PARTICIPATION_TYPE, "PPRF", "primary performer")],
                    "period": period(appointment.arrived_at, ended),
                    "individual": _practitioner(appointment.provider),
                }
            ],
            "appointment": [reference("Appointment", appointment.pk)],
            "period": period(appointment.arrived_at, ended),
            "location": [
                {
                    "location": _location(appointment.location),
                    "status": _location_status(appointment, ended),
                    "period": period(appointment.arrived_at, ended),
                }
            ],
            "serviceProvider": organization(),
        }
    )


def schedule_to_fhir(provider: Provider, *, locations=()) -> dict:
    """A provider's bookable time as a Schedule: the provider and the places
    they work; the horizon is the slot finder's default search span."""
    horizon_start = datetime.now(UTC).replace(second=0, microsecond=0)
    horizon_end = horizon_start + timedelta(days=slots.DEFAULT_SEARCH_DAYS)
    return clean(
        {
            "resourceType": "Schedule",
            "id": str(provider.pk),
            "identifier": [identifier(NPI, provider.npi)],
            "active": provider.is_active,
            "specialty": [codeable(None, None, text=provider.specialty)],
            "actor": [_practitioner(provider)] + [_location(x) for x in locations],
            "planningHorizon": period(horizon_start, horizon_end),
            "comment": str(provider),
        }
    )
