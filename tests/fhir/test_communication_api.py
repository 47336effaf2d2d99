"""Communication through the API: the outbox's messages and the texts patients
sent in (``received-<pk>``), two tables served as one type (``fhir/tables.py``)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import InboundMessage, Notification
from alerts.replies import inbound_sms_handle
from alerts.services import notification_create
from clinic.models import AccessLog
from clinic.storage import exports_storage
from fhir.bulk import bulk_export_run
from fhir.models import BulkExport
from smart.models import BackendClient
from tests.fhir.schema import assert_valid_r4
from tests.fhir.walk import assert_r4
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db

_numbers = iter(range(1000, 10_000))


def _patient(**fields):
    return PatientFactory(phone_mobile=f"+1555555{next(_numbers)}", **fields)


def _sent(patient, **fields) -> Notification:
    return notification_create(
        patient=patient,
        channel="sms",
        body=fields.pop("body", "Your visit is tomorrow at 9:00."),
        scheduled_for=timezone.now(),
        **fields,
    )


def _received(patient=None, body="Can I come at 10 instead?") -> InboundMessage:
    number = patient.phone_mobile if patient else f"+1555444{next(_numbers)}"
    return inbound_sms_handle(
        provider_id=f"SMin{next(_numbers)}",
        from_number=number,
        to_number="+15555550000",
        body=body,
        clinic="Riverside",
    )


def _rid(text: InboundMessage) -> str:
    return f"received-{text.pk}"


def test_a_received_text_is_read_vread_and_has_its_history(api):
    patient = _patient()
    text = _received(patient)

    response = api.get(f"Communication/{_rid(text)}")
    assert response.status_code == 200
    body = response.json()
    assert_r4(body)
    assert body["id"] == _rid(text)
    assert body["subject"] == {"reference": f"Patient/{patient.pk}"}
    version = body["meta"]["versionId"]
    assert response["ETag"] == f'W/"{version}"'
    again = api.get(
        f"Communication/{_rid(text)}", headers={"If-None-Match": f'W/"{version}"'}
    )
    assert again.status_code == 304

    old = api.json(f"Communication/{_rid(text)}/_history/{version}")
    assert old["id"] == _rid(text)
    history = api.json(f"Communication/{_rid(text)}/_history")
    assert_r4(history)
    [entry] = history["entry"]
    assert entry["fullUrl"].endswith(f"/fhir/Communication/{_rid(text)}")
    assert entry["request"] == {"method": "POST", "url": "Communication"}

    logged = AccessLog.objects.filter(patient=patient).values_list("what", flat=True)
    assert f"FHIR read Communication/{_rid(text)}" in logged
    assert f"FHIR vread Communication/{_rid(text)}/_history/{version}" in logged
    assert f"FHIR history Communication/{_rid(text)}/_history" in logged


def test_an_id_that_names_no_table_is_not_found(api):
    text = _received(_patient())
    for ident in ("received-", f"received-{text.pk}x", "received-1-2", "sent-1"):
        body = api.json(f"Communication/{ident}", status=404)
        assert body["resourceType"] == "OperationOutcome"


def test_one_search_finds_what_was_sent_and_received_for_a_patient(api):
    patient, other = _patient(), _patient()
    sent = [_sent(patient), _sent(patient, body="See you soon.")]
    received = [_received(patient), _received(patient, body="Thanks")]
    _sent(other), _received(other)
    mine = [str(m.pk) for m in sent] + [_rid(t) for t in received]

    assert api.ids("Communication", {"patient": str(patient.pk)}) == mine
    assert api.ids("Communication", {"subject": f"Patient/{patient.pk}"}) == mine
    wanted = {"patient": str(patient.pk), "_id": f"{sent[0].pk},{_rid(received[1])}"}
    assert api.ids("Communication", wanted) == [str(sent[0].pk), _rid(received[1])]
    completed = {"patient": str(patient.pk), "status": "completed"}
    assert api.ids("Communication", completed) == [_rid(t) for t in received]
    notified = {"patient": str(patient.pk), "category": "notification"}
    assert api.ids("Communication", notified) == [str(m.pk) for m in sent]
    since = (timezone.now() - timedelta(hours=1)).isoformat(timespec="seconds")
    arrived = {"patient": str(patient.pk), "received": f"ge{since}"}
    assert api.ids("Communication", arrived) == [_rid(t) for t in received]
    assert api.ids("Communication", {**arrived, "sent": f"ge{since}"}) == []

    bundle = api.json(
        "Communication",
        {
            "patient": str(patient.pk),
            "_include": ["Communication:patient", "Communication:subject"],
        },
    )
    assert_r4(bundle)
    included = [
        e["fullUrl"] for e in bundle["entry"] if e["search"]["mode"] == "include"
    ]
    assert [url.rsplit("/fhir/", 1)[1] for url in included] == [f"Patient/{patient.pk}"]


def test_paging_meets_every_message_of_both_tables_once_while_more_arrive(api):
    """Keyset across the two tables: the cursor names the table and the key in
    it, so rows written in either table between pages shift nothing."""
    patient = _patient()
    for _ in range(5):
        _sent(patient), _received(patient)
    at_start = set(api.ids("Communication", {"_count": "100"}))
    assert len(at_start) == 10

    for order in ("_id", "-_id"):
        seen, path, params = [], "Communication", {"_count": "3", "_sort": order}
        while path:
            page = api.json(path, params)
            seen += [e["resource"]["id"] for e in page.get("entry", [])]
            _sent(patient), _received(patient)  # one more in each table
            nexts = [x["url"] for x in page["link"] if x["relation"] == "next"]
            path, params = (
                (nexts[0].split("/fhir/", 1)[1], None) if nexts else ("", None)
            )
        assert len(seen) == len(set(seen)), order
        assert at_start <= set(seen), order
        received_first = order == "-_id"
        kinds = [ident.startswith("received-") for ident in seen]
        assert kinds == sorted(kinds, reverse=received_first), order


def _changes(page: dict) -> list[tuple]:
    return [(e["fullUrl"], e["response"]["etag"]) for e in page.get("entry", [])]


def test_type_history_merges_both_tables_newest_first_across_pages(api):
    patient = _patient()
    _sent(patient), _received(patient), _sent(patient), _received(patient)
    at_start = _changes(api.json("Communication/_history", {"_count": "100"}))
    assert any("received-" in url for url, _etag in at_start)

    changes, times = [], []
    for page in api.pages("Communication/_history", {"_count": "2"}):
        assert_r4(page)
        changes += _changes(page)
        times += [e["resource"]["meta"]["lastUpdated"] for e in page["entry"]]
        _received(patient)  # written while paging: lands before the first page
    assert changes == at_start
    assert times == sorted(times, reverse=True)


def test_a_text_from_a_number_no_patient_has_is_withheld(api):
    stranger = _received(body="who is this")
    assert stranger.patient_id is None
    api.json(f"Communication/{_rid(stranger)}", status=404)
    api.json(f"Communication/{_rid(stranger)}/_history", status=404)
    assert _rid(stranger) not in api.ids("Communication", {"_count": "100"})
    history = api.json("Communication/_history")
    assert not any(_rid(stranger) in e["fullUrl"] for e in history.get("entry", []))


def test_a_restricted_patients_texts_are_withheld(api):
    restricted = _patient(restriction="public_figure")
    text = _received(restricted)
    body = api.json(f"Communication/{_rid(text)}", status=403)
    assert "restricted patient" in body["issue"][0]["diagnostics"]
    assert api.ids("Communication", {"patient": str(restricted.pk)}) == []
    assert not AccessLog.objects.filter(patient=restricted).exists()


def test_a_bulk_export_of_communication_holds_both_tables():
    patient = _patient()
    sent, text = _sent(patient), _received(patient)
    _received(body="from a stranger")
    client = BackendClient.objects.create(name="ehr", allowed_scopes="system/*.rs")
    export = BulkExport.objects.create(
        client=client, level="system", types=["Communication"], request_url="test"
    )
    bulk_export_run(export_id=export.pk)
    export.refresh_from_db()
    [stored] = export.files
    assert (stored["type"], stored["count"]) == ("Communication", 2)
    assert export.total_resources == 2
    with exports_storage().open(stored["name"]) as handle:
        lines = [json.loads(line) for line in handle.read().decode().splitlines()]
    assert [r["id"] for r in lines] == [str(sent.pk), _rid(text)]
    for resource in lines:
        assert_valid_r4(resource)
    logged = AccessLog.objects.filter(action=AccessLog.Action.EXPORT)
    assert list(logged.values_list("patient_id", flat=True)) == [patient.pk]
