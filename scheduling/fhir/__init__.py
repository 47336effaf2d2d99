"""The scheduling app's FHIR R4 resources: Appointment, Encounter, Schedule, Slot,
and the one write, booking a Slot (``POST /fhir/Appointment``).

``mappers`` turns visits and providers into resources, ``free_slots`` computes
Slots and their ids, ``booking`` books one through the front desk's service.
"""

from scheduling.fhir.booking import appointment_create
from scheduling.fhir.free_slots import (
    SlotKey,
    free_slots,
    slot_find,
    slot_key,
    slot_key_parse,
    slot_target,
    slot_to_fhir,
)
from scheduling.fhir.mappers import (
    CHECKED_IN,
    STATUSES,
    appointment_to_fhir,
    encounter_to_fhir,
    schedule_to_fhir,
)
from scheduling.fhir.resources import RESOURCES

__all__ = [
    "CHECKED_IN",
    "RESOURCES",
    "STATUSES",
    "SlotKey",
    "appointment_create",
    "appointment_to_fhir",
    "encounter_to_fhir",
    "free_slots",
    "schedule_to_fhir",
    "slot_find",
    "slot_key",
    "slot_key_parse",
    "slot_target",
    "slot_to_fhir",
]
