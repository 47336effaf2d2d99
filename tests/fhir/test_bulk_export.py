"""Bulk Data Access 2.0 ``$export``: kick-off, progress, manifest, NDJSON files,
Group and ``_since``, the access log, cancel, expiry, and every refusal."""

import json
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from fhirclient.models.fhirelementfactory import FHIRElementFactory

from clinic.models import AccessLog
from clinic.storage import exports_storage
from fhir.bulk import bulk_export_run, bulk_exports_sweep
from fhir.models import BulkExport
from smart.testing import issue_test_token
from tests.fhir.conftest import Api
from tests.fhir.schema import assert_valid_r4
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import AppointmentFactory, ProviderFactory

pytestmark = pytest.mark.django_db

ASYNC = {"Prefer": "respond-async", "Accept": "application/fhir+json"}


def _kick_off(api, path="Patient/$export", params=None) -> BulkExport:
    response = api.get(path, params or {"_type": "Patient"}, headers=ASYNC)
    assert response.status_code == 202, response.content[:500]
    status_url = response["Content-Location"]
    assert "/fhir/$export-status/" in status_url
    return BulkExport.objects.get(pk=status_url.rsplit("/", 1)[1])


def _status(api, export):
    return api.get(f"$export-status/{export.pk}")


def _ndjson(api, url: str) -> list[dict]:
    response = api.client.get(url, **api.headers())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+ndjson"
    text = b"".join(response.streaming_content).decode()
    return [json.loads(line) for line in text.splitlines()]


def _finished(api, export) -> dict:
    bulk_export_run(export_id=export.pk)
    response = _status(api, export)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def test_a_patient_export_runs_to_a_manifest_and_valid_ndjson(api):
    patients = {str(PatientFactory().pk) for _ in range(3)}
    export = _kick_off(api)

    waiting = _status(api, export)
    assert waiting.status_code == 202
    assert waiting["X-Progress"].startswith("0%") and waiting["Retry-After"]

    manifest = _finished(api, export)
    assert manifest["requiresAccessToken"] is True
    assert manifest["request"].endswith("/fhir/Patient/$export?_type=Patient")
    [output] = manifest["output"]
    assert (output["type"], output["count"]) == ("Patient", 3)
    resources = _ndjson(api, output["url"])
    assert {r["id"] for r in resources} == patients
    for resource in resources:
        assert_valid_r4(resource)
        assert resource["meta"]["versionId"]
        FHIRElementFactory.instantiate("Patient", resource)

    rows = AccessLog.objects.filter(action=AccessLog.Action.EXPORT)
    assert {str(r.patient_id) for r in rows} == patients
    assert {r.username for r in rows} == {"fhir-client:test-ehr"}


def test_a_group_export_holds_only_the_providers_patients(api):
    provider = ProviderFactory()
    soon = timezone.now() + timedelta(days=3)
    members = {
        str(
            AppointmentFactory(
                provider=provider, start=soon + timedelta(hours=h)
            ).patient_id
        )
        for h in range(2)
    }
    AppointmentFactory()  # another provider's patient
    PatientFactory()  # nobody's
    group = api.json(f"Group/{provider.pk}")
    assert_valid_r4(group)
    assert group["quantity"] == 2

    export = _kick_off(api, f"Group/{provider.pk}/$export")
    [output] = _finished(api, export)["output"]
    assert {r["id"] for r in _ndjson(api, output["url"])} == members


def test_since_exports_only_what_changed_after_it(api):
    PatientFactory()
    changed = PatientFactory()
    time.sleep(1.1)  # _since counts in whole seconds
    since = timezone.now()
    changed.preferred_name = "Ada"
    changed.save()
    export = _kick_off(api, params={"_type": "Patient", "_since": since.isoformat()})
    [output] = _finished(api, export)["output"]
    assert [r["id"] for r in _ndjson(api, output["url"])] == [str(changed.pk)]


def test_a_system_export_of_nothing_new_has_no_files(api):
    PatientFactory()
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    export = _kick_off(api, "$export", {"_since": later})
    manifest = _finished(api, export)
    assert manifest["output"] == [] and manifest["error"] == []


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_the_reports_queue_writes_the_export(run_rq_worker):
    api = Api(Client(), issue_test_token())
    PatientFactory()
    export = _kick_off(api)
    run_rq_worker("reports")
    export.refresh_from_db()
    assert export.status == BulkExport.Status.DONE
    assert export.percent == 100 and export.done_resources == 1
    assert exports_storage().exists(export.files[0]["name"])


def test_another_client_cannot_see_the_status_or_the_files(api, client):
    PatientFactory()
    export = _kick_off(api)
    bulk_export_run(export_id=export.pk)
    other = Api(client, issue_test_token(client_name="other-ehr"))
    assert _status(other, export).status_code == 404
    assert other.get(f"$export-file/{export.pk}/Patient").status_code == 404
    assert _status(api, export).status_code == 200


def test_delete_cancels_and_removes_the_files(api):
    PatientFactory()
    export = _kick_off(api)
    bulk_export_run(export_id=export.pk)
    export.refresh_from_db()
    name = export.files[0]["name"]
    assert (
        api.client.delete(
            f"/fhir/$export-status/{export.pk}", **api.headers()
        ).status_code
        == 202
    )
    assert not exports_storage().exists(name)
    assert _status(api, export).status_code == 404


def test_expired_files_are_deleted_by_the_sweeper(api):
    PatientFactory()
    export = _kick_off(api)
    bulk_export_run(export_id=export.pk)
    export.refresh_from_db()
    name = export.files[0]["name"]
    assert bulk_exports_sweep(export.expires_at + timedelta(seconds=1)) >= 1
    export.refresh_from_db()
    assert export.status == BulkExport.Status.EXPIRED
    assert not exports_storage().exists(name)
    assert _status(api, export).status_code == 404


def test_a_run_whose_worker_died_loses_its_finished_files_and_is_queued_again(
    api, django_capture_on_commit_callbacks
):
    export = _kick_off(api)
    name = exports_storage().save("bulk-x-Patient.ndjson", ContentFile(b"{}\n"))
    stale = timezone.now() - timedelta(minutes=10)
    export.status, export.attempts = BulkExport.Status.RUNNING, 1
    export.started_at = export.heartbeat_at = stale
    export.files = [{"type": "Patient", "name": name, "count": 1}]
    export.save()
    with django_capture_on_commit_callbacks() as enqueued:
        assert bulk_exports_sweep(timezone.now()) >= 1
    export.refresh_from_db()
    assert (export.status, export.files) == (BulkExport.Status.PENDING, [])
    assert not exports_storage().exists(name)
    assert enqueued


@pytest.mark.parametrize(
    "path, params, headers, status",
    [
        ("Patient/$export", {}, {"Accept": "application/fhir+json"}, 400),  # no Prefer
        ("Patient/$export", {"_type": "Nonsense"}, ASYNC, 400),
        ("Patient/$export", {"_type": "Group"}, ASYNC, 400),  # not in a compartment
        ("Patient/$export", {"_typeFilter": "Patient?gender=female"}, ASYNC, 400),
        ("Patient/$export", {"_since": "last tuesday"}, ASYNC, 400),
        ("Patient/$export", {"_since": "ge2026-01-01"}, ASYNC, 400),
        ("Patient/$export", {"_outputFormat": "text/csv"}, ASYNC, 400),
        ("Patient/$export", {"_type": "Patient'; DROP TABLE x;--"}, ASYNC, 400),
        ("Patient/$export", {"whatever": "1"}, ASYNC, 400),
        ("Group/999999/$export", {}, ASYNC, 404),
        ("Group/abc/$export", {}, ASYNC, 404),
        ("$export-status/999999", {}, {}, 404),
        ("$export-status/x'--", {}, {}, 404),
        ("$export-file/999999/Patient", {}, {}, 404),
    ],
)
def test_bad_kick_offs_answer_an_operation_outcome(api, path, params, headers, status):
    response = api.get(path, params, headers=headers)
    assert response.status_code == status, response.content[:300]
    assert response.json()["resourceType"] == "OperationOutcome"
    assert not BulkExport.objects.exists()


def test_a_type_outside_the_tokens_scopes_is_forbidden(client):
    narrow = Api(
        client, issue_test_token(client_name="narrow", scopes=("system/Group.rs",))
    )
    response = narrow.get("Patient/$export", {"_type": "Patient"}, headers=ASYNC)
    assert response.status_code == 403
    assert narrow.get("Patient/$export", headers=ASYNC).status_code == 403  # none


def test_no_token_and_post_are_refused(anonymous_api, api):
    assert anonymous_api.get("$export", headers=ASYNC).status_code == 401
    assert api.post("$export", {"resourceType": "Parameters"}).status_code == 405
