"""Bulk Data Access 2.0 ``$export``: the kick-off, the job and the sweeper.

A kick-off is a row first (``BulkExport``), then a job on the ``reports`` queue,
like a report export. The job writes one NDJSON file per resource type into the
exports storage (``clinic.storage``: a folder in the embedded default, S3 in
production), streaming each type's rows from a server-side cursor in chunks, so
its memory does not grow with the clinic. Each patient whose data the export
holds gets one access-log row under the client's name. Files expire after
``EXPORT_RETENTION_HOURS`` like report exports; a run whose worker died is queued
again by the sweeper.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.batches import batched
from clinic.db_limits import statement_timeout
from clinic.fhir_declaration import ResourceType
from clinic.heartbeat import (
    RunLost,
    heartbeat,
    run_claim,
    run_finish,
    runs_sweep,
)
from clinic.models import AccessLog
from clinic.queueing import enqueue_on_commit
from clinic.services import access_log_append_patients, access_log_entry
from clinic.storage import exports_storage, stored_file_writer
from fhir.errors import FhirError, invalid
from fhir.groups import group_patients
from fhir.light_rows import light_rows
from fhir.models import BulkExport
from fhir.ndjson import ndjson_line
from fhir.registry import resource_types
from fhir.tables import tables
from fhir.values import parse_date
from fhir.versions import NO_VERSION, latest_versions, render
from scheduling.models import Provider
from smart.models import access_username

logger = logging.getLogger(__name__)

CHUNK = 2000
NDJSON_FORMATS = ("application/fhir+ndjson", "application/ndjson", "ndjson")
# Parameters of Bulk Data 2.0 this server does not (yet) serve: asked for, they
# answer 400 rather than being silently ignored.
UNSUPPORTED = ("_elements", "patient", "includeAssociatedData", "_typeFilter")
JOB = "fhir.bulk.bulk_export_job"
BULK_DATA = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/"
# Where $export is served, for the CapabilityStatement: "" the system level.
EXPORT_OPERATIONS = {
    "": {"name": "export", "definition": BULK_DATA + "export"},
    "Patient": {"name": "export", "definition": BULK_DATA + "patient-export"},
    "Group": {"name": "export", "definition": BULK_DATA + "group-export"},
}


# --- Kick-off ------------------------------------------------------------------------


def exportable_types(level: str) -> dict[str, ResourceType]:
    """Types a ``level`` export may hold: every type for the system; at Patient
    and Group level, the types in a patient's compartment."""
    return {
        name: declared
        for name, declared in resource_types().items()
        if not declared.computed  # free slots are no one's data
        and (level == BulkExport.Level.SYSTEM or declared.patient_path is not None)
    }


def _asked_types(grant, level: str, raw: list[str]) -> list[str]:
    eligible = exportable_types(level)
    if not raw:
        readable = [name for name in eligible if grant.allows(name, "r")]
        if not readable:
            raise FhirError(403, "forbidden", "The token may read no resource type.")
        return readable
    asked = [name.strip() for text in raw for name in text.split(",")]
    for name in asked:
        if name not in eligible:
            raise invalid(
                f"_type: {name!r} cannot be exported at this level "
                f"(it may be: {', '.join(eligible)}).",
                expression="_type",
            )
        if not grant.allows(name, "r"):
            raise FhirError(
                403,
                "forbidden",
                f"The token's scopes do not allow reading {name} "
                f"(system/{name}.r is needed).",
                expression="_type",
            )
    return list(dict.fromkeys(asked))


def _since(raw: list[str]):
    if not raw:
        return None
    if len(raw) > 1:
        raise invalid("_since is given more than once.", expression="_since")
    when = parse_date(raw[0], "_since")
    if when.prefix != "eq" or raw[0][:2].isalpha():
        raise invalid("_since takes an instant, without a prefix.", expression="_since")
    return when.start


def bulk_export_request(
    *, grant, level: str, group_id: str = "", params, request_url: str
) -> BulkExport:
    """Check a kick-off's parameters and queue its export (400 / 403 / 404 as a
    FhirError when they do not hold)."""
    for name in params:
        if name in UNSUPPORTED:
            raise FhirError(
                400, "not-supported", f"{name} is not supported.", expression=name
            )
        if name not in ("_type", "_since", "_outputFormat"):
            raise invalid(f"$export takes no parameter {name!r}.", expression=name)
    formats = params.getlist("_outputFormat")
    if any(fmt not in NDJSON_FORMATS for fmt in formats):
        raise invalid(
            "_outputFormat: only application/fhir+ndjson is written.",
            expression="_outputFormat",
        )
    if level == BulkExport.Level.GROUP and not (
        group_id.isdigit() and Provider.objects.filter(pk=int(group_id)).exists()
    ):
        raise FhirError(404, "not-found", f"There is no Group/{group_id}.")
    types = _asked_types(grant, level, params.getlist("_type"))
    since = _since(params.getlist("_since"))
    with transaction.atomic():
        export = BulkExport.objects.create(
            client=grant.client,
            level=level,
            group_id=group_id,
            types=types,
            since=since,
            request_url=request_url[:2000],
        )
        enqueue_on_commit(JOB, export.pk, queue="reports")
    return export


def bulk_export_cancel(*, export: BulkExport) -> BulkExport:
    """A client's DELETE: a waiting or running export stops, a finished one's
    files are deleted at once."""
    with transaction.atomic():
        export = BulkExport.objects.select_for_update().get(pk=export.pk)
        _delete_files(export.files)
        export.files = []
        export.status = BulkExport.Status.CANCELLED
        export.finished_at = timezone.now()
        export._change_reason = "cancelled by the client"
        export.save()
    return export


# --- What one export holds ----------------------------------------------------------


def _rows(export: BulkExport, resource: ResourceType):
    rows = resource.queryset()
    if export.level == BulkExport.Level.GROUP:
        members = group_patients(int(export.group_id)).values("pk")
        path = resource.patient_path or "pk"
        rows = rows.filter(**{f"{path}__in": members})
    if export.since is not None:
        history = resource.model.history.model.objects.filter(
            id=OuterRef("pk"), history_date__gte=export.since
        )
        rows = rows.filter(Exists(history))
    return rows.order_by("pk")


def _tables(export: BulkExport):
    """The declarations of the tables behind the export's types (Communication:
    two, ``fhir.tables``), in the order they are written."""
    return [part for name in export.types for part in tables(resource_types()[name])]


def _patient_ids(export: BulkExport):
    """The distinct patients whose data the export holds (computed by the
    database, so a million patients cost no memory here)."""
    found = None
    for resource in _tables(export):
        if resource.patient_path is None:
            continue
        path = f"{resource.patient_path}__pk" if resource.patient_path else "pk"
        ids = _rows(export, resource).order_by().values_list(path, flat=True)
        found = ids if found is None else found.union(ids)
    return found


def _log_patients(export: BulkExport) -> None:
    ids = _patient_ids(export)
    if ids is None:
        return
    entry = access_log_entry(
        user=None,
        username=access_username(export.client.name),
        action=AccessLog.Action.EXPORT,
        obj=export,
        what=f"bulk export {export.pk}: {', '.join(export.types)}",
    )
    access_log_append_patients(
        entry, (pid for pid in ids.iterator(chunk_size=CHUNK) if pid is not None)
    )


# --- The job -------------------------------------------------------------------------


def bulk_export_job(export_id: int) -> str | None:
    with statement_timeout(settings.DB_EXPORT_STATEMENT_TIMEOUT_MS):
        return bulk_export_run(export_id=export_id)


def _write_type(export, resource, handle, on_chunk) -> int:
    count = 0
    rows = _rows(export, resource)
    if resource.light:
        rows = light_rows(rows, resource.light, chunk_size=CHUNK)
    else:
        rows = rows.iterator(chunk_size=CHUNK)
    for chunk in batched(rows, CHUNK):
        versions = latest_versions(resource, (row.pk for row in chunk))
        # One buffer a chunk, each line freed once copied in (a list of 2,000
        # lines held at once costs the exporting process ~10 MB more).
        text = bytearray()
        for row in chunk:
            text += ndjson_line(render(resource, row, versions.get(row.pk, NO_VERSION)))
            text += b"\n"
        handle.write(text)
        count += len(chunk)
        on_chunk(len(chunk))
    return count


def bulk_export_run(*, export_id: int) -> str | None:
    """Write the files of one export. Runs once (the row is claimed first) and
    beats while it works; a run given up on meanwhile writes nothing more."""

    def prepare(export: BulkExport) -> None:
        export.transaction_time = timezone.now()
        export.done_resources = 0
        export.files = []
        export.total_resources = sum(
            _rows(export, resource).count() for resource in _tables(export)
        )

    export = run_claim(BulkExport, export_id, prepare=prepare)
    if export is None:
        return None
    storage = exports_storage()
    written: list[dict] = []
    try:
        with heartbeat(export) as beat:
            done = 0

            def on_chunk(size: int) -> None:
                nonlocal done
                beat.check()
                done += size
                beat.progress(done_resources=done)

            for name in export.types:
                file_name = f"bulk-{export.pk}-{secrets.token_hex(8)}-{name}.ndjson"
                with stored_file_writer(storage, file_name) as handle:
                    count = sum(
                        _write_type(export, part, handle, on_chunk)
                        for part in tables(resource_types()[name])
                    )
                written.append({"type": name, "name": file_name, "count": count})
                # Kept on the row as they land: a run that dies leaves the sweeper
                # the names of the files to delete.
                beat.progress(files=list(written))
            _log_patients(export)
        run_finish(
            export,
            status=BulkExport.Status.DONE,
            change_reason="exported",
            files=[f for f in written if f["count"]],
            expires_at=timezone.now()
            + timedelta(hours=settings.EXPORT_RETENTION_HOURS),
        )
    except RunLost:
        _delete_files(written)
        return None
    except Exception as exc:
        logger.exception("Bulk export %s failed", export.pk)
        _delete_files(written)
        try:
            run_finish(
                export,
                status=BulkExport.Status.FAILED,
                change_reason="failed",
                error=str(exc)[:2000],
            )
        except RunLost:
            return None
        return BulkExport.Status.FAILED
    _delete_files([f for f in written if not f["count"]])
    return BulkExport.Status.DONE


def _delete_files(files: list[dict]) -> None:
    storage = exports_storage()
    for stored in files:
        storage.delete(stored["name"])


# --- The sweeper ---------------------------------------------------------------------

STOPPED = _(
    "The export stopped {attempts} times (its worker was restarted or ran out of "
    "time or memory). Ask for it again, perhaps with fewer types or a _since."
)


def _requeue(export: BulkExport) -> None:
    enqueue_on_commit(JOB, export.pk, queue="reports")


def _remove_partial(export: BulkExport) -> None:
    _delete_files(export.files)
    export.files = []
    export.done_resources = 0


def _expire(export: BulkExport) -> None:
    _delete_files(export.files)
    export.files = []


def bulk_exports_sweep(now) -> int:
    """Expired files are deleted; lost enqueues are re-sent; a run whose worker
    died loses the files it finished and is queued again (a file being written
    was never stored: one is stored only once whole), or failed after its last
    attempt."""
    return runs_sweep(
        BulkExport,
        now=now,
        requeue=_requeue,
        stopped=STOPPED,
        cleanup=_remove_partial,
        expire=_expire,
    )
