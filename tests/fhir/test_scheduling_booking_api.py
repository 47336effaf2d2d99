"""Slot and booking through /fhir/: free slots read and searched, then booked
with POST /fhir/Appointment, racing the front desk's page for the same slot."""

import threading
from datetime import UTC
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from fhirclient.models.slot import Slot

from scheduling.exceptions import SLOT_TAKEN
from scheduling.fhir import slot_key_parse
from scheduling.models import Appointment
from smart.testing import issue_test_token
from tests.clinic.factories import UserFactory
from tests.fhir.conftest import Api
from tests.fhir.schema import assert_valid_r4
from tests.registration import factories as reg
from tests.scheduling import factories as sched

pytestmark = pytest.mark.django_db


def make_clinic() -> dict:
    """Two providers working 08:00-17:00 every day, a 30-minute visit type."""
    location = sched.LocationFactory(code="main")
    first, second = sched.ProviderFactory(), sched.ProviderFactory()
    for provider in (first, second):
        sched.weekly_hours(provider, location)
    visit = sched.AppointmentTypeFactory(name="Follow-up", billing_code="99213")
    return {
        "location": location,
        "provider": first,
        "other": second,
        "type": visit,
        "patient": reg.PatientFactory(),
        "day": sched.next_weekday(),
    }


@pytest.fixture
def clinic(db):
    return make_clinic()


def span(clinic, start_hour: int, end_hour: int) -> list[tuple[str, str]]:
    day = clinic["day"]
    return [
        ("schedule", f"Schedule/{clinic['provider'].pk}"),
        ("start", f"ge{day}T{start_hour:02d}:00:00"),
        ("start", f"lt{day}T{end_hour:02d}:00:00"),
        ("service-type", f"urn:clinicops:appointment-type|{clinic['type'].pk}"),
        ("status", "free"),
    ]


def slot_search(api: Api, pairs, status: int = 200) -> dict:
    response = api.client.get(f"/fhir/Slot?{urlencode(pairs)}", **api.headers())
    assert response.status_code == status, response.content[:400]
    body = response.json()
    assert_valid_r4(body)
    return body


def first_slot_id(api: Api, clinic, hour: int = 10) -> str:
    found = slot_search(api, span(clinic, hour, hour + 1))
    return found["entry"][0]["resource"]["id"]


def booking(slot_id: str, patient_pk, **more) -> dict:
    return {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot_id}"}],
        "participant": [
            {"actor": {"reference": f"Patient/{patient_pk}"}, "status": "accepted"}
        ],
        **more,
    }


def test_free_slots_are_searched_and_each_reads_back(api, clinic):
    bundle = slot_search(api, span(clinic, 9, 11))

    starts = [e["resource"]["start"] for e in bundle["entry"]]
    assert len(starts) == 8  # 09:00 ... 10:45 on the 15-minute grid
    assert starts[0] == (
        sched.local(clinic["day"], 9).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    for entry in bundle["entry"]:
        resource = entry["resource"]
        Slot(resource, strict=True)
        assert resource["status"] == "free"
        assert resource["schedule"]["reference"] == f"Schedule/{clinic['provider'].pk}"
        assert api.json(f"Slot/{resource['id']}") == resource


def test_slot_pages_follow_next_links_to_the_same_slots(api, clinic):
    pairs = span(clinic, 8, 17)
    # One page of them all (its size said, not the default page's, which is 20).
    whole = slot_search(api, [*pairs, ("_count", "100")])
    assert not [li for li in whole["link"] if li["relation"] == "next"]
    whole = [e["resource"]["id"] for e in whole["entry"]]
    seen, path = [], f"Slot?{urlencode([*pairs, ('_count', '5')])}"
    while path:
        response = api.client.get(f"/fhir/{path}", **api.headers())
        bundle = response.json()
        assert_valid_r4(bundle)
        seen += [e["resource"]["id"] for e in bundle.get("entry", [])]
        following = [li["url"] for li in bundle["link"] if li["relation"] == "next"]
        path = following[0].split("/fhir/", 1)[1] if following else None

    assert len(whole) == 35  # 08:00 ... 16:30
    assert seen == whole


@pytest.mark.parametrize(
    ("pairs", "count"),
    [
        ([("status", "busy")], 0),
        ([("service-type", "http://www.ama-assn.org/go/cpt|99213")], 4),
        ([("service-type", "http://www.ama-assn.org/go/cpt|00000")], 0),
        ([("schedule", "Schedule/999999")], 0),
    ],
)
def test_slot_search_filters(api, clinic, pairs, count):
    base = [p for p in span(clinic, 9, 10) if p[0] not in {k for k, _v in pairs}]

    assert len(slot_search(api, [*base, *pairs]).get("entry", [])) == count


@pytest.mark.parametrize(
    "pairs",
    [
        [("start", "tomorrow")],
        [("start", "ne2026-01-01")],
        [("start", "ge2026-01-01,ge2026-02-01")],
        [("schedule", "Practitioner/1")],
        [("_sort", "start")],
        [("_lastUpdated", "ge2026-01-01")],
        [("actor", "1")],
        [("_cursor", "forged")],
        [("schedule:missing", "true")],
    ],
)
def test_bad_slot_searches_are_400(api, clinic, pairs):
    body = slot_search(api, pairs, status=400)

    assert body["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("Slot/1-1-202601011000", 404),
        ("Slot/not-a-slot", 404),
        ("Slot/_history", 405),
        ("Slot/1-1-202601011000/_history", 405),
        ("Slot/1-1-202601011000/_history/1", 405),
    ],
)
def test_a_slot_that_is_not_free_or_has_no_history_is_an_outcome(api, path, status):
    assert api.json(path, status=status)["resourceType"] == "OperationOutcome"


def test_metadata_declares_slot_computed_and_appointment_create(anonymous_api):
    body = anonymous_api.json("metadata")

    served = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert [i["code"] for i in served["Slot"]["interaction"]] == [
        "read",
        "search-type",
    ]
    assert served["Slot"]["versioning"] == "no-version"
    assert {"code": "create"} in served["Appointment"]["interaction"]


def test_booking_a_free_slot_answers_201_with_location_and_etag(client, clinic):
    scopes = ("system/Appointment.c", "system/Slot.rs")
    api = Api(client, issue_test_token(client_name="booker", scopes=scopes))
    slot_id = first_slot_id(api, clinic)

    response = api.post("Appointment", booking(slot_id, clinic["patient"].pk))

    appointment = Appointment.objects.get()
    version = appointment.history.latest().history_id
    assert response.status_code == 201
    assert response.content == b""
    assert response["Location"].endswith(
        f"/fhir/Appointment/{appointment.pk}/_history/{version}"
    )
    assert response["ETag"] == f'W/"{version}"'
    assert appointment.history.latest().history_change_reason == (
        "booked via fhir-client:booker"
    )
    assert api.json(f"Slot/{slot_id}", status=404)


def test_prefer_return_representation_answers_the_new_appointment(api, clinic):
    api = Api(api.client, issue_test_token(client_name="rep", scopes=("system/*.crs",)))
    slot_id = first_slot_id(api, clinic)

    response = api.post(
        "Appointment",
        booking(slot_id, clinic["patient"].pk, comment="From the EHR"),
        headers={"Prefer": "return=representation"},
    )

    assert response.status_code == 201
    body = response.json()
    assert_valid_r4(body)
    assert (body["status"], body["comment"]) == ("booked", "From the EHR")
    assert body["meta"]["versionId"] in response["Location"]


def test_booking_needs_the_create_scope(api, clinic):
    slot_id = first_slot_id(api, clinic)  # the token reads and searches only

    response = api.post("Appointment", booking(slot_id, clinic["patient"].pk))

    assert response.status_code == 403
    assert "system/Appointment.c" in response.json()["issue"][0]["diagnostics"]
    assert not Appointment.objects.exists()


@pytest.fixture
def writer(client, db) -> Api:
    return Api(client, issue_test_token(client_name="w", scopes=("system/*.crs",)))


def test_a_taken_slot_is_409_naming_the_conflict_and_the_next_free(writer, clinic):
    slot_id = first_slot_id(writer, clinic)
    assert writer.post("Appointment", booking(slot_id, clinic["patient"].pk))

    again = writer.post("Appointment", booking(slot_id, reg.PatientFactory().pk))

    assert again.status_code == 409
    issue = again.json()["issue"][0]
    assert issue["code"] == "conflict"
    assert issue["diagnostics"].startswith(str(SLOT_TAKEN))
    assert "Next free: Slot/" in issue["diagnostics"]
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/fhir+json", 400),
        ("[]", "application/fhir+json", 400),
        ({"resourceType": "Patient"}, "application/fhir+json", 400),
        ({"resourceType": "Appointment"}, "application/fhir+json", 400),
        ("{}", "text/plain", 415),
        ("unknown-patient", "application/fhir+json", 400),
        ("forged-slot", "application/fhir+json", 400),
    ],
)
def test_a_body_that_books_nothing_is_an_outcome(
    writer, clinic, body, content_type, status
):
    if body == "unknown-patient":
        body = booking(first_slot_id(writer, clinic), 999_999)
    elif body == "forged-slot":
        body = booking("1-1-209901011000", clinic["patient"].pk)

    response = writer.post("Appointment", body, content_type=content_type)

    assert response.status_code == status
    assert response.json()["resourceType"] == "OperationOutcome"
    assert not Appointment.objects.exists()


ROUNDS = 4


@pytest.mark.django_db(transaction=True)
def test_booking_through_fhir_and_the_page_at_once_one_wins():
    """Each round a FHIR client and a clerk book the same slot at one instant;
    exactly one visit holds it, the other hears it was taken."""
    assert connection.vendor == "postgresql"
    clinic = make_clinic()
    token = issue_test_token(client_name="race", scopes=("system/*.crs",))
    clerk = UserFactory(role="Front desk")
    reader = Api(Client(), token)
    slot_ids = [first_slot_id(reader, clinic, hour) for hour in range(9, 9 + ROUNDS)]
    outcomes: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def recorded(channel, send):
        # A thread that raises would lose its answer silently; its error
        # becomes the outcome so the assertion below names it.
        try:
            response = send()
            outcome = (channel, response.status_code, response.text)
        except Exception as error:  # noqa: BLE001 - reported, not hidden
            outcome = (channel, 0, repr(error))
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    def through_fhir(slot_id, patient, barrier):
        def send():
            barrier.wait(timeout=30)
            body = booking(slot_id, patient.pk)
            return Api(Client(), token).post("Appointment", body)

        recorded("fhir", send)

    def through_page(slot_id, patient, barrier):
        page = Client()
        page.force_login(clerk)
        start = timezone.localtime(slot_key_parse(slot_id).start)
        data = {
            "patient": patient.mrn,
            "patient_shown": patient.mrn,
            "appointment_type": clinic["type"].pk,
            "provider": clinic["provider"].pk,
            "location": clinic["location"].pk,
            "start": start.strftime("%Y-%m-%d %H:%M"),
            "notes": "",
            "repeat_weeks": 1,
            "override_reason": "",
        }

        def send():
            barrier.wait(timeout=30)
            return page.post(reverse("scheduling:book"), data)

        recorded("page", send)

    for slot_id in slot_ids:
        barrier = threading.Barrier(2)
        # factory_boy's sequence is not thread-safe: the patients are made here.
        patients = reg.PatientFactory.create_batch(2)
        threads = [
            threading.Thread(target=through_fhir, args=(slot_id, patients[0], barrier)),
            threading.Thread(target=through_page, args=(slot_id, patients[1], barrier)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert len(outcomes) == 2 * ROUNDS
    for round_start in range(0, 2 * ROUNDS, 2):
        pair = outcomes[round_start : round_start + 2]
        won = [o for o in pair if o[1] in (201, 302)]
        lost = [o for o in pair if o[1] in (409, 200)]
        assert len(won) == 1 and len(lost) == 1, pair
        assert "just taken" in lost[0][2], pair
    for slot_id in slot_ids:
        start = slot_key_parse(slot_id).start
        assert Appointment.objects.filter(start=start).count() == 1
