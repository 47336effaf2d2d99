"""A restricted patient's records are withheld from the API: a machine client
cannot break the glass (fhir.registry)."""

import pytest

from clinic.models import AccessLog
from fhir.bulk import bulk_export_run
from fhir.models import BulkExport
from smart.models import BackendClient
from tests.diagnostics.factories import make_order
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted():
    return PatientFactory(family_name="Okafor", restriction="public_figure")


def test_a_read_of_a_restricted_patient_is_refused_and_not_logged(api, restricted):
    body = api.json(f"Patient/{restricted.pk}", status=403)
    assert body["resourceType"] == "OperationOutcome"
    assert "restricted patient" in body["issue"][0]["diagnostics"]
    assert not AccessLog.objects.filter(patient=restricted).exists()


def test_searches_and_history_leave_a_restricted_patient_out(api, restricted):
    other = PatientFactory(family_name="Okafor")
    assert api.ids("Patient", {"family": "Okafor"}) == [str(other.pk)]
    assert api.ids("Patient", {"_id": str(restricted.pk)}) == []
    history = api.json("Patient/_history")
    shown = {e["resource"]["id"] for e in history["entry"]}
    assert str(other.pk) in shown and str(restricted.pk) not in shown
    api.json(f"Patient/{restricted.pk}/_history", status=403)


def test_a_restricted_patients_results_are_withheld_too(api, restricted):
    order = make_order(patient=restricted)
    api.json(f"ServiceRequest/{order.pk}", status=403)
    assert api.ids("ServiceRequest", {"patient": str(restricted.pk)}) == []


def test_a_bulk_export_leaves_a_restricted_patient_out(restricted):
    other = PatientFactory()
    client = BackendClient.objects.create(name="ehr", allowed_scopes="system/*.rs")
    export = BulkExport.objects.create(
        client=client, level="system", types=["Patient"], request_url="test"
    )
    bulk_export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.files[0]["count"] == 1
    logged = AccessLog.objects.filter(action="export")
    assert list(logged.values_list("patient_id", flat=True)) == [other.pk]
