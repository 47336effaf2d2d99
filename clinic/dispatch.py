"""The sweeper behind ``manage.py dispatch_due``: every periodic duty, in one list.

A sweeper is a function ``(now) -> int`` (how many things it handed on). Each app adds
its own line here. Sweepers only claim due rows (``SKIP LOCKED``) and enqueue after
commit, so two ``dispatch_due`` runs at once never hand the same row on twice; an
advisory lock per sweeper on PostgreSQL also keeps a second run from scanning in vain.
"""

import hashlib
import logging
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime

from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

SWEEPERS: list[str] = [
    "clinic.sweepers.rq_scheduled_jobs",
    "clinic.sweepers.access_log_anchor",
    "alerts.sweepers.escalate_alerts",
    "clinic.reports.exports.report_exports_sweep",
    "fhir.bulk.bulk_exports_sweep",
    "diagnostics.hl7v2.uploads.hl7_uploads_sweep",
    "billing.services.uploads.remittance_uploads_sweep",
    "clinic.reports.summary.weekly_summary_send",
    "medications.sweepers.generate_schedules",
    "medications.sweepers.raise_overdue_alerts",
    "scheduling.sweepers.mark_no_shows",
    "scheduling.sweepers.verify_tomorrows_eligibility",
    "registration.sweepers.pending_eligibility_checks",
    "careplans.sweepers.careplans_sweep",
    "selfservice.sweepers.intakes_missing",
    "automations.sweepers.automations_sweep",
    "alerts.sweepers.send_due_notifications",
    "billing.sweepers.transmit_stale_batches",
    "billing.sweepers.read_clearinghouse_inbound",
    "smart.sweepers.used_assertions_sweep",
    "training.practice.practice_reset_nightly",
]


@contextmanager
def _exclusive(name: str):
    """Yield True when this process holds the named lock (always on SQLite)."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        got = cursor.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def dispatch_due(*, now: datetime | None = None) -> dict[str, int | None]:
    """Run every sweeper once; None for a sweeper another process is running."""
    now = now or timezone.now()
    results: dict[str, int | None] = {}
    for path in SWEEPERS:
        sweeper: Callable[[datetime], int] = import_string(path)
        with _exclusive(path) as mine:
            if not mine:
                results[path] = None
                continue
            try:
                results[path] = sweeper(now)
            except Exception:
                logger.exception("Sweeper %s failed", path)
                results[path] = -1
    return results
