"""Booking a free Slot from a FHIR Appointment (``scheduling.fhir.booking``)."""

from datetime import UTC, timedelta

import pytest
from django.core.exceptions import ValidationError

from automations.models import Event
from registration.models import Patient
from scheduling import services
from scheduling.exceptions import SLOT_TAKEN, SlotTaken
from scheduling.fhir import appointment_create, slot_key, slot_to_fhir
from scheduling.fhir.booking import (
    MERGED_PATIENT,
    NO_PATIENT,
    NO_SLOT,
    NOT_A_SLOT,
    NOT_BOOKABLE,
    NOT_THE_SLOTS,
    UNKNOWN_PATIENT,
)
from scheduling.models import Appointment
from scheduling.slots import find_slots
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import LocationFactory, local, next_weekday

pytestmark = pytest.mark.django_db
CLIENT = "fhir-client:Acme EHR"


def free_slot(clinic, hour=10):
    day = next_weekday()
    return next(
        slot
        for slot in find_slots(
            appointment_type=clinic["type"],
            provider=clinic["provider"],
            start_day=day,
            end_day=day,
            limit=96,
        )
        if slot.start == local(day, hour)
    )


def body(slot_id, patient_pk, *more_actors, **fields) -> dict:
    actors = [f"Patient/{patient_pk}", *more_actors]
    return {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot_id}"}],
        "participant": [
            {"actor": {"reference": ref}, "status": "accepted"} for ref in actors
        ],
        **fields,
    }


def slot_id(clinic, hour=10) -> str:
    return slot_to_fhir(free_slot(clinic, hour), clinic["type"])["id"]


def test_a_free_slot_is_booked_through_the_front_desk_service(clinic):
    patient = clinic["patient"]
    sid = slot_id(clinic)

    appointment = appointment_create(
        body(
            sid,
            patient.pk,
            f"Practitioner/{clinic['provider'].pk}",
            f"Location/{clinic['location'].pk}",
            comment="Booked from the EHR",
        ),
        client_name=CLIENT,
    )

    assert (appointment.patient, appointment.provider, appointment.location) == (
        patient,
        clinic["provider"],
        clinic["location"],
    )
    assert appointment.start == local(next_weekday(), 10)
    assert appointment.status == Appointment.Status.SCHEDULED
    assert appointment.notes == "Booked from the EHR"
    assert appointment.booked_by is None
    assert appointment.history.get().history_change_reason == f"booked via {CLIENT}"
    assert Event.objects.filter(kind="appointment.booked", patient=patient).count() == 1


def test_a_slot_taken_meanwhile_is_a_conflict_naming_the_next_free_slots(clinic):
    sid = slot_id(clinic)
    services.appointment_book(
        patient=PatientFactory(),
        appointment_type=clinic["type"],
        provider=clinic["provider"],
        location=clinic["location"],
        start=local(next_weekday(), 10),
        actor=None,
    )

    with pytest.raises(SlotTaken) as taken:
        appointment_create(body(sid, clinic["patient"].pk), client_name=CLIENT)

    message = str(taken.value)
    assert message.startswith(str(SLOT_TAKEN))
    following = slot_key(taken.value.alternatives[0], clinic["type"]).id
    assert f"Next free: Slot/{following}" in message
    assert taken.value.alternatives[0].start > local(next_weekday(), 10)
    assert Appointment.objects.filter(patient=clinic["patient"]).count() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "cancelled"}, NOT_BOOKABLE),
        ({"status": None}, NOT_BOOKABLE),
        ({"slot": []}, NO_SLOT),
        ({"slot": None}, NO_SLOT),
        ({"slot": [{"reference": "Schedule/1"}]}, NO_SLOT),
        ({"slot": "Slot/1"}, "Appointment.slot must be a list."),
        ({"slot": [{"display": "x"}]}, "Each Appointment.slot needs a reference."),
        ({"slot": [7]}, "Each Appointment.slot needs a reference."),
        ({"participant": []}, NO_PATIENT),
        ({"participant": {"actor": "Patient/1"}}, "must be a list"),
        ({"comment": 12}, "Appointment.comment must be a string."),
    ],
)
def test_a_body_the_server_cannot_book_is_refused_by_name(clinic, change, message):
    sent = body(slot_id(clinic), clinic["patient"].pk)
    sent.update(change)

    with pytest.raises(ValidationError) as refused:
        appointment_create(sent, client_name=CLIENT)

    assert message in refused.value.messages[0]
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    "forged",
    ["not-a-slot", "1-1-209913011000", "999999-1-202612011000", "{p}-{t}-{early}"],
)
def test_a_forged_slot_is_refused_as_not_ours(clinic, forged):
    early = local(next_weekday(), 3).astimezone(UTC)
    forged = forged.format(
        p=clinic["provider"].pk, t=clinic["type"].pk, early=f"{early:%Y%m%d%H%M}"
    )

    with pytest.raises(ValidationError) as refused:
        appointment_create(body(forged, clinic["patient"].pk), client_name=CLIENT)

    assert refused.value.messages == [NOT_A_SLOT.format(id=forged)]


def test_a_slot_that_has_passed_is_refused(clinic):
    yesterday = local(next_weekday() - timedelta(days=14), 10).astimezone(UTC)
    sid = f"{clinic['provider'].pk}-{clinic['type'].pk}-{yesterday:%Y%m%d%H%M}"

    with pytest.raises(ValidationError) as refused:
        appointment_create(body(sid, clinic["patient"].pk), client_name=CLIENT)

    assert "has passed" in refused.value.messages[0]


@pytest.mark.parametrize("patient", ["999999", "abc", ""])
def test_an_unknown_patient_is_refused(clinic, patient):
    with pytest.raises(ValidationError) as refused:
        appointment_create(body(slot_id(clinic), patient), client_name=CLIENT)

    assert refused.value.messages == [UNKNOWN_PATIENT.format(id=patient)]


def test_a_merged_away_patient_is_refused_naming_the_survivor(clinic):
    survivor = clinic["patient"]
    merged = PatientFactory(status=Patient.Status.MERGED, merged_into=survivor)

    with pytest.raises(ValidationError) as refused:
        appointment_create(body(slot_id(clinic), merged.pk), client_name=CLIENT)

    assert refused.value.messages == [
        MERGED_PATIENT.format(id=merged.pk, survivor=survivor.pk)
    ]


@pytest.mark.parametrize("kind", ["Practitioner", "Location"])
def test_a_practitioner_or_place_other_than_the_slots_is_refused(clinic, kind):
    other = (
        clinic["other_provider"] if kind == "Practitioner" else LocationFactory()
    ).pk
    sid = slot_id(clinic)

    with pytest.raises(ValidationError) as refused:
        appointment_create(
            body(sid, clinic["patient"].pk, f"{kind}/{other}"), client_name=CLIENT
        )

    assert refused.value.messages == [
        NOT_THE_SLOTS.format(reference=f"{kind}/{other}", kind=kind.lower(), slot=sid)
    ]
