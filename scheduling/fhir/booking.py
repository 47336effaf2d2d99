"""``POST /fhir/Appointment``: a client books a free Slot for a patient.

The booking goes through ``scheduling.services.appointment_book``, the front
desk's service (its constraints, reminders and events), so the two race on the
same database constraint and exactly one wins. A body the server cannot book
(no slot, an unknown patient, a practitioner or place other than the slot's) is
a ``ValidationError`` (400); a slot taken meanwhile is ``SlotTaken`` (409), its
message naming the next free slots by id.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone

from registration.models import Patient
from scheduling import services
from scheduling.exceptions import SlotTaken
from scheduling.fhir.free_slots import slot_key, slot_target
from scheduling.models import Appointment

# Statuses a client may ask for; the visit is booked at once either way.
BOOKABLE = {"booked", "pending", "proposed"}
NOT_BOOKABLE = "An Appointment is created booked (status booked, pending or proposed)."
NO_SLOT = "Name exactly one free slot: slot: [{reference: 'Slot/<id>'}]."
NOT_A_SLOT = (
    "Slot/{id} is not a slot of this server's schedules (read Slot?schedule=... "
    "for free ones)."
)
SLOT_PASSED = "Slot/{id} has passed."
NO_PATIENT = "Name the patient: participant: [{actor: {reference: 'Patient/<id>'}}]."
UNKNOWN_PATIENT = "There is no Patient/{id}."
MERGED_PATIENT = "Patient/{id} was merged into Patient/{survivor}; book that one."
NOT_THE_SLOTS = "{reference} is not the {kind} of Slot/{slot}."
TAKEN_NEXT = "{taken} Next free: {ids}."


def _references(resource: dict, path: str) -> list[str]:
    """The ``reference`` strings under ``resource[path]`` (a list of objects
    holding a Reference directly, or under ``actor``)."""
    items = resource.get(path) or []
    if not isinstance(items, list):
        raise ValidationError(f"Appointment.{path} must be a list.")
    found = []
    for item in items:
        ref = item.get("actor", item) if isinstance(item, dict) else None
        value = ref.get("reference") if isinstance(ref, dict) else None
        if not isinstance(value, str):
            raise ValidationError(f"Each Appointment.{path} needs a reference.")
        found.append(value)
    return found


def _of_type(references: list[str], kind: str) -> list[str]:
    """The ids of the references to ``kind`` (``Patient/12`` -> ``12``)."""
    return [r.partition("/")[2] for r in references if r.startswith(f"{kind}/")]


def _patient(ident: str) -> Patient:
    patient = Patient.objects.filter(pk=int(ident)).first() if ident.isdigit() else None
    if patient is None:
        raise ValidationError(UNKNOWN_PATIENT.format(id=ident))
    if patient.merged_into_id:
        raise ValidationError(
            MERGED_PATIENT.format(id=ident, survivor=patient.merged_into_id)
        )
    return patient


def appointment_create(resource: dict, *, client_name: str) -> Appointment:
    """Book the Slot the Appointment names for the patient it names."""
    if resource.get("status") not in BOOKABLE:
        raise ValidationError(NOT_BOOKABLE)
    slot_ids = _of_type(_references(resource, "slot"), "Slot")
    if len(slot_ids) != 1:
        raise ValidationError(NO_SLOT)
    target = slot_target(slot_ids[0])
    if target is None:
        raise ValidationError(NOT_A_SLOT.format(id=slot_ids[0]))
    if target.key.start < timezone.now():
        raise ValidationError(SLOT_PASSED.format(id=slot_ids[0]))
    actors = _references(resource, "participant")
    patients = _of_type(actors, "Patient")
    if len(patients) != 1:
        raise ValidationError(NO_PATIENT)
    patient = _patient(patients[0])
    for kind, own in (
        ("Practitioner", target.provider.pk),
        ("Location", target.location.pk),
    ):
        for ident in _of_type(actors, kind):
            if ident != str(own):
                raise ValidationError(
                    NOT_THE_SLOTS.format(
                        reference=f"{kind}/{ident}",
                        kind=kind.lower(),
                        slot=slot_ids[0],
                    )
                )
    comment = resource.get("comment", "")
    if not isinstance(comment, str):
        raise ValidationError("Appointment.comment must be a string.")
    try:
        return services.appointment_book(
            patient=patient,
            appointment_type=target.appointment_type,
            provider=target.provider,
            location=target.location,
            start=target.key.start,
            notes=comment,
            actor=None,
            via=client_name,
        )
    except SlotTaken as taken:
        ids = ", ".join(
            f"Slot/{slot_key(slot, target.appointment_type).id}"
            for slot in taken.alternatives
        )
        message = TAKEN_NEXT.format(taken=taken, ids=ids) if ids else str(taken)
        raise SlotTaken(message, taken.alternatives) from taken
