"""``$export`` over HTTP (Bulk Data Access 2.0): kick-off, status, files.

Kick-off (``GET [base]/$export``, ``[base]/Patient/$export``,
``[base]/Group/<id>/$export`` with ``Prefer: respond-async``) answers 202 with a
``Content-Location`` to poll. The status URL answers 202 with ``X-Progress``
while the job runs, then 200 with the manifest; DELETE cancels. Each file is
fetched with the same client's bearer token (``requiresAccessToken``).
"""

from django.utils.http import http_date

from clinic.storage import exports_storage, stored_download
from fhir.bulk import bulk_export_cancel, bulk_export_request
from fhir.errors import FhirError
from fhir.http import base_url, client_grant, fhir_endpoint, fhir_response
from fhir.models import BulkExport
from fhir.values import pk_of

NDJSON = "application/fhir+ndjson"
RETRY_AFTER_SECONDS = 5


def _kick_off(request, level: str, group_id: str = ""):
    if request.method != "GET":
        raise FhirError(
            405, "not-supported", "Kick off $export with GET.", headers={"Allow": "GET"}
        )
    grant = client_grant(request)
    if request.headers.get("Prefer", "").strip().lower() != "respond-async":
        raise FhirError(
            400,
            "invalid",
            "$export runs asynchronously: send Prefer: respond-async.",
            expression="Prefer",
        )
    export = bulk_export_request(
        grant=grant,
        level=level,
        group_id=group_id,
        params=request.GET,
        request_url=request.build_absolute_uri(),
    )
    status_url = f"{base_url(request)}$export-status/{export.pk}"
    return fhir_response(None, 202, {"Content-Location": status_url})


@fhir_endpoint
def system_export(request):
    return _kick_off(request, BulkExport.Level.SYSTEM)


@fhir_endpoint
def patient_export(request):
    return _kick_off(request, BulkExport.Level.PATIENT)


@fhir_endpoint
def group_export(request, ident: str):
    return _kick_off(request, BulkExport.Level.GROUP, ident)


def _own_export(request, ident: str) -> BulkExport:
    """The export ``ident`` when it is the token's client's and still there;
    404 otherwise (another client's export is not even said to exist)."""
    grant = client_grant(request)
    pk = pk_of(ident)
    export = (
        BulkExport.objects.filter(pk=pk, client=grant.client).first() if pk else None
    )
    gone = (BulkExport.Status.EXPIRED, BulkExport.Status.CANCELLED)
    if export is None or export.status in gone:
        raise FhirError(404, "not-found", f"There is no export {ident}.")
    return export


def _manifest(request, export: BulkExport) -> dict:
    base = base_url(request)
    return {
        "transactionTime": export.transaction_time.isoformat(),
        "request": export.request_url,
        "requiresAccessToken": True,
        "output": [
            {
                "type": stored["type"],
                "url": f"{base}$export-file/{export.pk}/{stored['type']}",
                "count": stored["count"],
            }
            for stored in export.files
        ],
        "error": [],
    }


@fhir_endpoint
def export_status(request, ident: str):
    export = _own_export(request, ident)
    if request.method == "DELETE":
        bulk_export_cancel(export=export)
        return fhir_response(None, 202)
    if request.method != "GET":
        raise FhirError(
            405, "not-supported", "GET or DELETE.", headers={"Allow": "GET, DELETE"}
        )
    if export.status == BulkExport.Status.FAILED:
        raise FhirError(500, "exception", f"The export failed: {export.error}")
    if export.status != BulkExport.Status.DONE:
        progress = f"{export.percent}% ({export.done_resources} of "
        progress += f"{export.total_resources} resources)"
        return fhir_response(
            None,
            202,
            {"X-Progress": progress, "Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    response = fhir_response(_manifest(request, export))
    response["Content-Type"] = "application/json"
    response["Expires"] = http_date(export.expires_at.timestamp())
    return response


@fhir_endpoint
def export_file(request, ident: str, type_name: str):
    export = _own_export(request, ident)
    stored = next((f for f in export.files if f["type"] == type_name), None)
    if export.status != BulkExport.Status.DONE or stored is None:
        raise FhirError(404, "not-found", f"Export {ident} has no {type_name} file.")
    try:
        response = stored_download(
            exports_storage(), stored["name"], content_type=NDJSON
        )
    except FileNotFoundError as missing:
        raise FhirError(404, "not-found", "The file is gone.") from missing
    response["Cache-Control"] = "no-store"
    return response
