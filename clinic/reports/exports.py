"""The background export of a report to a file: the request (a row, then a job on
the reports queue), the run with its heartbeat, and the sweeper for lost runs. The
files are written by ``clinic.reports.csv_output`` and ``clinic.reports.pdf_output``.

Both formats carry a SHA-256 over the exported rows (the CSV text of the header and
every row), so a file proves what it held: the CSV in its last line, the PDF on its
last page, and the export record on the page that offers the download.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.db_limits import statement_timeout
from clinic.heartbeat import (
    heartbeat,
    run_claim,
    run_still_mine,
    runs_sweep,
)
from clinic.models import AccessLog, ReportExport
from clinic.queueing import enqueue_on_commit
from clinic.reports import get_report
from clinic.reports.base import Filters, Report
from clinic.reports.csv_output import HASH_LINE, csv_chunks
from clinic.reports.pdf_output import write_pdf
from clinic.services import access_log_record
from clinic.storage import exports_storage, stored_file_writer

logger = logging.getLogger(__name__)


# --- Export requests and the job ----------------------------------------------------


def report_export_request(
    *, report: Report, filters: Filters, fmt: str, actor, request=None
) -> ReportExport:
    """An export is a row first (the outbox), then a job on the reports queue; the
    request itself is written to the PHI access log."""
    with transaction.atomic():
        export = ReportExport.objects.create(
            requested_by=actor,
            report=report.slug,
            filters=filters.to_json(),
            filters_text=filters.describe()[:300],
            format=fmt,
        )
        access_log_record(
            user=actor,
            action=AccessLog.Action.EXPORT,
            patient=filters.patient,
            obj=export,
            what=f"report {report.slug} ({fmt}): {filters.describe()}",
            request=request,
        )
        enqueue_on_commit(report_export_job, export.pk, queue="reports")
    return export


def report_export_job(export_id: int) -> str | None:
    # An export reads every row it holds: longer than a page may (settings).
    with statement_timeout(settings.DB_EXPORT_STATEMENT_TIMEOUT_MS):
        return report_export_run(export_id=export_id)


def report_export_run(*, export_id: int) -> str | None:
    """Build the file of one export. Runs once: the row is claimed before the work,
    and beats while it works (a worker that dies is noticed by the sweeper)."""

    def prepare(export: ReportExport) -> None:
        export.total_rows = get_report(export.report).count(
            Filters.from_json(export.filters)
        )
        export.done_rows = 0
        # A name nobody can guess, and a new one per attempt: a run that was
        # given up on can never write into the file of the next.
        export.file_name = f"export-{export.pk}-{secrets.token_hex(8)}.{export.format}"

    export = run_claim(ReportExport, export_id, prepare=prepare)
    if export is None:
        return None
    report = get_report(export.report)
    filters = Filters.from_json(export.filters)

    def progress(done: int) -> None:
        export.done_rows = done
        export.save(update_fields=["done_rows"])

    storage = exports_storage()
    try:
        with heartbeat(export), stored_file_writer(storage, export.file_name) as handle:
            if export.format == ReportExport.Format.PDF:
                digest = write_pdf(
                    report,
                    filters,
                    handle,
                    generated_by=export.requested_by.get_username(),
                    progress=progress,
                )
            else:
                for chunk in csv_chunks(report, filters, progress=progress):
                    handle.write(chunk)
                digest = chunk.decode().rstrip("\n")[len(HASH_LINE) :]
    except Exception as exc:
        logger.exception("Export %s failed", export.pk)
        if not run_still_mine(export):
            return None
        export.status = ReportExport.Status.FAILED
        export.error = str(exc)[:2000]
        export.file_name = ""
        export.finished_at = timezone.now()
        export.save()
        return export.status
    with transaction.atomic():
        if not ReportExport.objects.select_for_update().filter(
            pk=export.pk, status=ReportExport.Status.RUNNING, attempts=export.attempts
        ):
            # Given up on meanwhile (queued again): this file is nobody's.
            storage.delete(export.file_name)
            return None
        export.status = ReportExport.Status.DONE
        export.sha256 = digest
        export.finished_at = timezone.now()
        export.expires_at = export.finished_at + timedelta(
            hours=settings.EXPORT_RETENTION_HOURS
        )
        export.save()
    return export.status


STOPPED = _(
    "The export stopped {attempts} times (its worker was restarted or ran out of "
    "time or memory). Request it again, perhaps with narrower filters."
)


def _requeue(export: ReportExport) -> None:
    enqueue_on_commit(report_export_job, export.pk, queue="reports")


def _remove_partial(export: ReportExport) -> None:
    if export.file_name:
        exports_storage().delete(export.file_name)
    export.file_name = ""
    export.done_rows = 0


def _expire(export: ReportExport) -> None:
    exports_storage().delete(export.file_name)


def report_exports_sweep(now) -> int:
    """Expired files are deleted; lost enqueues are re-sent; a run whose worker died
    (no heartbeat for minutes) loses its partial file and is queued again, or
    failed after its last attempt."""
    return runs_sweep(
        ReportExport,
        now=now,
        requeue=_requeue,
        stopped=STOPPED,
        cleanup=_remove_partial,
        expire=_expire,
    )
