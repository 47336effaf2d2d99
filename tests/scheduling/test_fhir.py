"""The scheduling app's FHIR mappers: Appointment, Encounter, Schedule, Slot."""

from datetime import UTC, timedelta

import pytest
from fhirclient.models.fhirelementfactory import FHIRElementFactory

from scheduling import services
from scheduling.fhir import (
    CHECKED_IN,
    appointment_to_fhir,
    encounter_to_fhir,
    free_slots,
    schedule_to_fhir,
    slot_find,
    slot_key,
    slot_key_parse,
    slot_to_fhir,
)
from scheduling.models import Appointment, Location
from scheduling.slots import find_slots
from tests.fhir.schema import assert_valid_r4
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    local,
    next_weekday,
)

pytestmark = pytest.mark.django_db
S = Appointment.Status


def valid(resource: dict) -> dict:
    """``resource`` after checking it against the R4 schema and fhirclient."""
    assert_valid_r4(resource)
    parsed = FHIRElementFactory.instantiate(resource["resourceType"], resource)
    assert parsed.as_json()["id"] == resource["id"]
    return resource


def visit(clinic, status=S.SCHEDULED, **fields):
    """A visit of the clinic fixture with the stamps its status implies."""
    start = local(next_weekday(), 10)
    stamps = {
        S.CONFIRMED: ["confirmed_at"],
        S.ARRIVED: ["arrived_at"],
        S.IN_ROOM: ["arrived_at", "in_room_at"],
        S.COMPLETED: ["arrived_at", "in_room_at", "completed_at"],
        S.CANCELLED: ["cancelled_at"],
        S.NO_SHOW: ["no_show_at"],
    }.get(status, [])
    for minutes, stamp in enumerate(stamps):
        fields.setdefault(stamp, start + timedelta(minutes=10 * minutes))
    return AppointmentFactory(
        patient=clinic["patient"],
        provider=clinic["provider"],
        location=clinic["location"],
        appointment_type=clinic["type"],
        start=start,
        status=status,
        **fields,
    )


@pytest.mark.parametrize(
    ("status", "fhir_status"),
    [
        (S.SCHEDULED, "booked"),
        (S.CONFIRMED, "booked"),
        (S.ARRIVED, "arrived"),
        (S.IN_ROOM, "checked-in"),
        (S.COMPLETED, "fulfilled"),
        (S.CANCELLED, "cancelled"),
        (S.NO_SHOW, "noshow"),
    ],
)
def test_every_visit_status_is_an_r4_appointment_status(clinic, status, fhir_status):
    resource = valid(appointment_to_fhir(visit(clinic, status)))

    assert resource["status"] == fhir_status


def test_an_appointment_names_patient_provider_place_time_and_version(clinic):
    clinic["type"].billing_code = "99213"
    clinic["type"].save()
    appointment = visit(clinic, notes="Bring the glucose diary")

    resource = valid(appointment_to_fhir(appointment))

    actors = [p["actor"]["reference"] for p in resource["participant"]]
    assert actors == [
        f"Patient/{clinic['patient'].pk}",
        f"Practitioner/{clinic['provider'].pk}",
        f"Location/{clinic['location'].pk}",
    ]
    assert resource["participant"][0]["status"] == "needs-action"
    assert resource["start"] == appointment.start.astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert resource["minutesDuration"] == 30
    assert resource["comment"] == "Bring the glucose diary"
    assert resource["serviceType"][0]["coding"][0] == {
        "system": "http://www.ama-assn.org/go/cpt",
        "code": "99213",
    }
    assert resource["serviceType"][0]["text"] == "Follow-up"
    assert "cancelationReason" not in resource


def test_a_cancelled_appointment_carries_its_reason(clinic):
    resource = valid(
        appointment_to_fhir(visit(clinic, S.CANCELLED, cancel_reason="Snowed in"))
    )

    assert resource["cancelationReason"] == {"text": "Snowed in"}
    assert resource["participant"][0]["status"] == "accepted"


def encounters() -> list[int]:
    return list(Appointment.objects.filter(CHECKED_IN).values_list("pk", flat=True))


def test_a_no_show_appointment_has_no_encounter(clinic):
    appointment = visit(clinic, S.NO_SHOW)

    assert valid(appointment_to_fhir(appointment))["status"] == "noshow"
    assert encounters() == []


@pytest.mark.parametrize("status", [S.SCHEDULED, S.CONFIRMED, S.CANCELLED])
def test_a_visit_not_checked_in_has_no_encounter(clinic, status):
    appointment = visit(clinic, status)

    assert encounters() == []
    # Its versions from before a check-in (in _history) read as planned.
    planned = valid(encounter_to_fhir(appointment))
    assert planned["status"] == ("cancelled" if status == S.CANCELLED else "planned")
    assert "period" not in planned


@pytest.mark.parametrize("status", [S.ARRIVED, S.IN_ROOM, S.COMPLETED])
def test_every_visit_checked_in_is_an_encounter(clinic, status):
    appointment = visit(clinic, status)

    assert encounters() == [appointment.pk]


@pytest.mark.parametrize(
    ("status", "fhir_status", "ended"),
    [
        (S.ARRIVED, "arrived", False),
        (S.IN_ROOM, "in-progress", False),
        (S.COMPLETED, "finished", True),
    ],
)
def test_a_checked_in_visit_is_a_us_core_encounter(clinic, status, fhir_status, ended):
    appointment = visit(clinic, status)

    resource = valid(encounter_to_fhir(appointment))

    assert resource["status"] == fhir_status
    assert resource["class"]["code"] == "AMB"
    assert resource["subject"]["reference"] == f"Patient/{clinic['patient'].pk}"
    assert resource["participant"][0]["individual"]["reference"] == (
        f"Practitioner/{clinic['provider'].pk}"
    )
    assert resource["appointment"] == [{"reference": f"Appointment/{appointment.pk}"}]
    assert resource["location"][0]["location"]["reference"] == (
        f"Location/{clinic['location'].pk}"
    )
    assert resource["identifier"][0]["value"] == str(appointment.pk)
    assert resource["serviceProvider"]["identifier"]["value"]
    assert resource["type"][0]["text"] == "Follow-up"
    assert ("end" in resource["period"]) is ended
    assert resource["period"]["start"].endswith("Z")


def test_an_encounter_keeps_the_statuses_it_went_through(clinic):
    resource = valid(encounter_to_fhir(visit(clinic, S.COMPLETED)))

    assert [h["status"] for h in resource["statusHistory"]] == [
        "arrived",
        "in-progress",
    ]
    arrived, roomed = resource["statusHistory"]
    assert arrived["period"]["end"] == roomed["period"]["start"]
    assert roomed["period"]["end"] == resource["period"]["end"]


def test_a_visit_cancelled_after_check_in_is_a_cancelled_encounter(clinic):
    appointment = visit(clinic, S.ARRIVED)
    appointment.status = S.CANCELLED
    appointment.cancelled_at = appointment.arrived_at + timedelta(minutes=40)
    appointment.cancel_reason = "Left without being seen"
    appointment.save()

    resource = valid(encounter_to_fhir(appointment))

    assert resource["status"] == "cancelled"
    assert resource["location"][0]["status"] == "completed"
    assert resource["period"]["end"] == resource["statusHistory"][0]["period"]["end"]


def test_a_visit_at_the_infusion_unit_is_a_short_stay(clinic):
    clinic["location"] = LocationFactory(code="inf", kind=Location.Kind.INFUSION)

    resource = valid(encounter_to_fhir(visit(clinic, S.ARRIVED)))

    assert resource["class"]["code"] == "SS"


def test_a_schedule_is_a_provider_and_the_places_they_work(clinic):
    provider = clinic["provider"]

    resource = valid(schedule_to_fhir(provider, locations=[clinic["location"]]))

    assert resource["id"] == str(provider.pk)
    assert [a["reference"] for a in resource["actor"]] == [
        f"Practitioner/{provider.pk}",
        f"Location/{clinic['location'].pk}",
    ]
    assert resource["active"] is True
    assert resource["identifier"][0]["value"] == provider.npi


def test_a_schedule_without_places_still_names_its_provider(clinic):
    clinic["provider"].is_active = False
    clinic["provider"].specialty = ""

    resource = valid(schedule_to_fhir(clinic["provider"]))

    assert resource["active"] is False
    assert len(resource["actor"]) == 1
    assert "specialty" not in resource


def test_a_free_slot_reads_back_from_its_id(clinic):
    slot = find_slots(appointment_type=clinic["type"], provider=clinic["provider"])[0]

    resource = valid(slot_to_fhir(slot, clinic["type"]))

    assert resource["status"] == "free"
    assert resource["schedule"]["reference"] == f"Schedule/{clinic['provider'].pk}"
    assert resource["comment"] == clinic["location"].name
    assert slot_find(resource["id"]) == (slot, clinic["type"])


def test_a_slot_taken_since_it_was_read_is_not_found(clinic):
    day = next_weekday()
    slot = find_slots(
        appointment_type=clinic["type"], provider=clinic["provider"], start_day=day
    )[0]
    slot_id = slot_to_fhir(slot, clinic["type"])["id"]
    services.appointment_book(
        patient=clinic["patient"],
        appointment_type=clinic["type"],
        provider=clinic["provider"],
        location=clinic["location"],
        start=slot.start,
        actor=None,
    )

    assert slot_find(slot_id) is None


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "1-2",
        "abc",
        "1-2-202613011000",  # month 13
        "1-2-20261201100",  # too short
        "-1-2-202612011000",
    ],
)
def test_an_id_that_is_not_a_slot_id_is_refused(forged):
    assert slot_key_parse(forged) is None
    assert slot_find(forged) is None


def test_an_id_off_the_grid_off_hours_or_of_another_provider_is_not_found(clinic):
    day = next_weekday()
    on_grid = local(day, 10).astimezone(UTC)
    provider, kind = clinic["provider"].pk, clinic["type"].pk
    other = AppointmentTypeFactory()
    other.is_active = False
    other.save()

    def key(provider_id, type_id, moment):
        return f"{provider_id}-{type_id}-{moment:%Y%m%d%H%M}"

    assert slot_find(key(provider, kind, on_grid)) is not None
    assert slot_find(key(provider, kind, on_grid + timedelta(minutes=5))) is None
    assert slot_find(key(provider, kind, local(day, 3).astimezone(UTC))) is None
    assert slot_find(key(provider, other.pk, on_grid)) is None
    assert slot_find(key(999_999, kind, on_grid)) is None
    past = local(day - timedelta(days=14), 10).astimezone(UTC)
    assert slot_find(key(provider, kind, past)) is None


def page_ids(pages) -> list[str]:
    return [slot_key(slot, kind).id for slot, kind in pages]


def test_free_slots_page_by_keyset_without_loss_or_repeat(clinic):
    day = next_weekday()
    second_type = AppointmentTypeFactory(duration_minutes=60)
    span = {"start_from": local(day, 8), "start_before": local(day, 12)}
    everything = free_slots(**span, limit=500)
    first = free_slots(**span, limit=7)
    # A slot of the first page is booked before the second is read.
    taken, _kind = first[3]
    services.appointment_book(
        patient=clinic["patient"],
        appointment_type=clinic["type"],
        provider=taken.provider,
        location=taken.location,
        start=taken.start,
        actor=None,
    )
    key = slot_key(*first[-1])
    second = free_slots(**span, after=key, limit=500)

    assert page_ids(everything) == sorted(
        page_ids(everything),
        key=lambda i: (slot_key_parse(i).start, *map(int, i.split("-")[:2])),
    )
    assert {kind for _slot, kind in everything} == {clinic["type"], second_type}
    assert {slot.provider for slot, _kind in everything} == {
        clinic["provider"],
        clinic["other_provider"],
    }
    assert all(local(day, 8) <= s.start < local(day, 12) for s, _k in everything)
    seen = page_ids(first) + page_ids(second)
    assert len(seen) == len(set(seen))
    gone = set(page_ids(everything)) - set(seen)
    # Only slots overlapping the booked visit vanished, none were skipped.
    assert gone and all(
        slot_key_parse(i).start < taken.end
        and slot_key_parse(i).start + timedelta(minutes=60) > taken.start
        for i in gone
    )


def test_free_slots_of_one_schedule_and_type(clinic):
    day = next_weekday()
    AppointmentTypeFactory()

    found = free_slots(
        provider_ids=[clinic["provider"].pk],
        type_ids=[clinic["type"].pk],
        start_from=local(day, 16),
        start_before=local(day + timedelta(days=1), 0),
    )

    assert [s.start for s, _k in found] == [
        local(day, 16),
        local(day, 16, 15),
        local(day, 16, 30),
    ]
    assert {(s.provider, k) for s, k in found} == {(clinic["provider"], clinic["type"])}


def test_free_slots_of_an_empty_span_are_none(clinic):
    day = next_weekday()

    assert free_slots(start_from=local(day, 12), start_before=local(day, 9)) == []
    assert free_slots(provider_ids=[999_999]) == []
