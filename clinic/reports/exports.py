"""Report files: streamed CSV, paginated PDF, and the background export job.

Both formats carry a SHA-256 over the exported rows (the CSV text of the header and
every row), so a file proves what it held: the CSV in its last line, the PDF on its
last page, and the export record on the page that offers the download.
"""

import hashlib
import io
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from clinic.csvfile import csv_copy_sql, csv_writer
from clinic.heartbeat import (
    MAX_ATTEMPTS,
    heartbeat,
    pending_runs_requeue,
    run_claim,
    run_still_mine,
    stale_runs_settle,
)
from clinic.models import AccessLog, ReportExport
from clinic.pdf import pdf_markup, pdf_paragraph
from clinic.queueing import enqueue_on_commit
from clinic.reports.base import Filters, Report
from clinic.services import access_log_record

logger = logging.getLogger(__name__)

CSV_CHUNK_ROWS = 2000
PDF_ROWS_PER_PAGE = 30
HASH_LINE = "# SHA-256 of the rows above: "


class _RowHasher:
    """Serialises rows as CSV text (through the one CSV path, ``csv_writer``) and
    hashes exactly that text."""

    def __init__(self):
        self.buffer = io.StringIO()
        self.writer = csv_writer(self.buffer, lineterminator="\n")
        self.sha = hashlib.sha256()

    def add(self, cells: list[str]) -> None:
        self.writer.writerow(cells)

    def add_many(self, rows) -> None:
        self.writer.writerows(rows)

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        self.sha.update(text.encode())
        return text

    def hexdigest(self) -> str:
        return self.sha.hexdigest()


def csv_chunks(
    report: Report, filters: Filters, progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The CSV file (UTF-8) in chunks: header, rows, then the hash line. At most
    CSV_CHUNK_ROWS rows are in memory at once, whatever the size of the report."""
    hasher = _RowHasher()
    hasher.add([str(column.header) for column in report.columns])
    yield hasher.take().encode()
    text_rows = report.text_rows(filters)
    if text_rows is not None and connection.vendor == "postgresql":
        chunks = _copied_chunks(
            text_rows,
            columns=len(report.columns),
            own_connection=progress is not None,
        )
    else:
        chunks = _written_chunks(hasher, report.iter_cells(filters))
    count = 0
    for data, rows in chunks:
        hasher.sha.update(data)
        count += rows
        yield data
        if progress:
            progress(count)
    if progress and count == 0:
        progress(count)
    yield f"{HASH_LINE}{hasher.hexdigest()}\n".encode()


def csv_lines(
    report: Report, filters: Filters, progress: Callable[[int], None] | None = None
) -> Iterator[str]:
    """The same chunks as text."""
    for chunk in csv_chunks(report, filters, progress):
        yield chunk.decode()


def _written_chunks(hasher: _RowHasher, cells) -> Iterator[tuple[bytes, int]]:
    """Rows written by Python's csv module, CSV_CHUNK_ROWS at a time."""
    cells = iter(cells)
    while batch := list(islice(cells, CSV_CHUNK_ROWS)):
        hasher.writer.writerows(batch)
        text = hasher.buffer.getvalue()
        hasher.buffer.seek(0)
        hasher.buffer.truncate()
        yield text.encode(), len(batch)


def _copied_chunks(
    text_rows: QuerySet, *, columns: int, own_connection: bool
) -> Iterator[tuple[bytes, int]]:
    """Rows written by PostgreSQL (COPY ... TO STDOUT, CSV), streamed as they come:
    no transaction, no cursor to hold, and the same text as Python's csv module
    through ``csv_writer`` (empty cells are NULL in ``text_rows``, so neither quotes
    them; ``csv_copy_sql`` neutralises formulas as ``csv_cell`` does).

    A connection runs one command at a time, and a COPY lasts until its last row:
    an export that writes its progress meanwhile copies on a connection of its own.
    """
    import psycopg

    sql, params = text_rows.query.get_compiler(using=text_rows.db).as_sql()
    if own_connection:
        wrapper = connections.create_connection(text_rows.db)
    else:
        wrapper = connections[text_rows.db]
    try:
        with wrapper.cursor() as cursor:
            raw = cursor.cursor
            query = psycopg.ClientCursor(raw.connection).mogrify(sql, params)
            with raw.copy(csv_copy_sql(query, columns=columns)) as copy:
                parts: list = []
                for row in copy:  # one row per message
                    parts.append(row)
                    if len(parts) == CSV_CHUNK_ROWS:
                        yield b"".join(parts), len(parts)
                        parts.clear()
                if parts:
                    yield b"".join(parts), len(parts)
    finally:
        if own_connection:
            wrapper.close()


class _NumberedCanvas(pdf_canvas.Canvas):
    """Writes "page n of m" once the number of pages is known."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages = []

    def showPage(self):
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self.setFont("Helvetica", 8)
            self.drawRightString(
                self._pagesize[0] - 0.5 * inch,
                0.35 * inch,
                f"page {self._pageNumber} of {total}",
            )
            super().showPage()
        super().save()


def write_pdf(
    report: Report,
    filters: Filters,
    path,
    *,
    generated_by: str,
    progress: Callable[[int], None] | None = None,
) -> str:
    """A PDF of the report: one table per page of rows (reportlab lays out one huge
    table in quadratic time). Returns the SHA-256 of the rows."""
    styles = getSampleStyleSheet()
    head = [str(column.header) for column in report.columns]
    hasher = _RowHasher()
    hasher.add([str(column.header) for column in report.columns])
    generated_at = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
    story = [
        pdf_paragraph(f"{settings.CLINIC_NAME}: {report.title}", styles["Title"]),
        pdf_paragraph(f"Filters: {filters.describe()}", styles["Normal"]),
        pdf_paragraph(
            f"Generated by {generated_by} at {generated_at}", styles["Normal"]
        ),
        Spacer(1, 0.15 * inch),
    ]
    style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
            ("FONT", (0, 0), (-1, -1), "Helvetica", PDF_FONT_SIZE),
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", PDF_FONT_SIZE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    page_rows: list[list] = []
    count = 0
    widths: list[float] = []

    def flush(last: bool) -> None:
        if page_rows:
            if not widths:
                widths.extend(_column_widths(head, page_rows))
            story.append(
                Table(
                    [head, *page_rows],
                    colWidths=widths,
                    rowHeights=PDF_ROW_HEIGHT,
                    repeatRows=1,
                    style=style,
                )
            )
            page_rows.clear()
            if not last:
                story.append(PageBreak())

    # Plain strings, not Paragraphs: a Paragraph per cell costs far more layout time.
    for cells in report.iter_cells(filters):
        hasher.add(cells)
        page_rows.append([_fit(c) for c in cells])
        count += 1
        if len(page_rows) == PDF_ROWS_PER_PAGE:
            flush(last=False)
            hasher.take()
    flush(last=True)
    hasher.take()
    digest = hasher.hexdigest()
    story += [
        Spacer(1, 0.2 * inch),
        pdf_paragraph(
            f"{count} rows. SHA-256 of the exported rows (as CSV):", styles["Normal"]
        ),
        Paragraph(
            pdf_markup("<font name='Courier'>{digest}</font>", digest=digest),
            styles["Normal"],
        ),
    ]
    doc = SimpleDocTemplate(
        path if hasattr(path, "write") else str(path),
        pagesize=landscape(letter),
        leftMargin=0.5 * inch,
        rightMargin=0.5 * inch,
        topMargin=0.5 * inch,
        bottomMargin=0.6 * inch,
        title=str(report.title),
        author=generated_by,
    )
    if progress:
        # Laying out the pages is the slow part: progress counts the rows laid out.
        laid_out = [0, 0]  # rows, rows at the last report

        def after_flowable(flowable) -> None:
            if isinstance(flowable, Table):
                laid_out[0] += len(flowable._cellvalues) - 1  # less the header
                if laid_out[0] - laid_out[1] >= PDF_ROWS_PER_PAGE * 5:
                    laid_out[1] = laid_out[0]
                    progress(laid_out[0])

        doc.afterFlowable = after_flowable
    doc.build(story, canvasmaker=_NumberedCanvas)
    if progress:
        progress(count)
    return digest


PDF_CELL_CHARS = 60
PDF_FONT_SIZE = 7
PDF_ROW_HEIGHT = PDF_FONT_SIZE * 1.2 + 6  # one line and the table's padding
PDF_TABLE_WIDTH = 10 * inch  # landscape letter inside the margins


def _column_widths(head: list[str], rows: list[list[str]]) -> list[float]:
    """Widths from the header and the first page, stretched to the page's width
    (room for longer text further on), then kept for every page: the same columns
    throughout, and no measuring of every cell of every page."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    widths = [
        max(
            stringWidth(title, "Helvetica-Bold", PDF_FONT_SIZE),
            *(stringWidth(row[i], "Helvetica", PDF_FONT_SIZE) for row in rows),
        )
        + 12
        for i, title in enumerate(head)
    ]
    scale = PDF_TABLE_WIDTH / sum(widths)
    return [width * scale for width in widths]


def _fit(text: str | None) -> str:
    """A cell on one line: long text is cut (the CSV export keeps it whole)."""
    text = (text or "").replace("\n", " ")
    return text if len(text) <= PDF_CELL_CHARS else text[: PDF_CELL_CHARS - 1] + "…"


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
    return report_export_run(export_id=export_id)


def report_export_run(*, export_id: int) -> str | None:
    """Build the file of one export. Runs once: the row is claimed before the work,
    and beats while it works (a worker that dies is noticed by the sweeper)."""
    from clinic.reports import get_report

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

    path = _export_path(export)
    try:
        with heartbeat(export), _private_file(path) as handle:
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
        path.unlink(missing_ok=True)
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
            path.unlink(missing_ok=True)
            return None
        export.status = ReportExport.Status.DONE
        export.sha256 = digest
        export.finished_at = timezone.now()
        export.expires_at = export.finished_at + timedelta(
            hours=settings.EXPORT_RETENTION_HOURS
        )
        export.save()
    return export.status


def _export_path(export: ReportExport) -> Path:
    return settings.EXPORT_DIR / export.file_name


@contextmanager
def _private_file(path: Path) -> Iterator:
    """A new file only its owner (the app's user) may read: 0600 in a 0700 folder,
    whatever the umask."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        yield handle


STOPPED = _(
    "The export stopped {attempts} times (its worker was restarted or ran out of "
    "time or memory). Request it again, perhaps with narrower filters."
)


def _requeue(export: ReportExport) -> None:
    enqueue_on_commit(report_export_job, export.pk, queue="reports")


def _remove_partial(export: ReportExport) -> None:
    if export.file_name:
        _export_path(export).unlink(missing_ok=True)
    export.file_name = ""
    export.done_rows = 0


def report_exports_sweep(now) -> int:
    """Expired files are deleted; lost enqueues are re-sent; a run whose worker died
    (no heartbeat for minutes) loses its partial file and is queued again, or
    failed after its last attempt."""
    handled = 0
    for export in ReportExport.objects.filter(
        status=ReportExport.Status.DONE, expires_at__lte=now
    ):
        (settings.EXPORT_DIR / export.file_name).unlink(missing_ok=True)
        export.status = ReportExport.Status.EXPIRED
        export.save()
        handled += 1
    handled += stale_runs_settle(
        ReportExport,
        now=now,
        requeue=_requeue,
        cleanup=_remove_partial,
        failed_message=str(STOPPED).format(attempts=MAX_ATTEMPTS),
    )
    handled += pending_runs_requeue(ReportExport, now=now, requeue=_requeue)
    return handled
