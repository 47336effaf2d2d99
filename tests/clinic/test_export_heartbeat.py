"""Report exports beat while they run; one whose worker died is noticed within
minutes, loses its partial file and is queued again (or failed); files are 0600."""

import os
import re
import stat
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from clinic.heartbeat import MAX_ATTEMPTS, heartbeat
from clinic.models import ReportExport
from clinic.reports.exports import report_export_run, report_exports_sweep
from clinic.storage import exports_storage

pytestmark = pytest.mark.django_db


def _running(admin_user, *, attempts=1, beat_minutes_ago=3, started_minutes_ago=3):
    now = timezone.now()
    return ReportExport.objects.create(
        requested_by=admin_user,
        report="access-log",
        format="csv",
        status="running",
        attempts=attempts,
        file_name="export-1-0123456789abcdef.csv",
        total_rows=500,
        done_rows=120,
        started_at=now - timedelta(minutes=started_minutes_ago),
        heartbeat_at=now - timedelta(minutes=beat_minutes_ago),
    )


def _partial_file(export) -> str:
    return exports_storage().save(export.file_name, ContentFile(b"When,Who\n2026-"))


def test_an_export_whose_worker_died_loses_its_partial_file_and_is_queued_again(
    admin_user, django_capture_on_commit_callbacks
):
    export = _running(admin_user)
    partial = _partial_file(export)

    with django_capture_on_commit_callbacks() as enqueued:
        assert report_exports_sweep(timezone.now()) >= 1
    export.refresh_from_db()
    assert (export.status, export.file_name, export.done_rows) == ("pending", "", 0)
    assert not exports_storage().exists(partial)
    assert len(enqueued) >= 1
    assert export.history.first().history_change_reason == (
        "worker stopped; queued again"
    )


def test_an_export_that_keeps_dying_is_failed_with_a_message(admin_user):
    export = _running(admin_user, attempts=MAX_ATTEMPTS)
    partial = _partial_file(export)
    report_exports_sweep(timezone.now())
    export.refresh_from_db()
    assert export.status == "failed"
    assert export.error == (
        f"The export stopped {MAX_ATTEMPTS} times (its worker was restarted or ran "
        "out of time or memory). Request it again, perhaps with narrower filters."
    )
    assert not exports_storage().exists(partial)


def test_a_long_export_that_still_beats_is_left_alone(admin_user):
    export = _running(admin_user, beat_minutes_ago=0, started_minutes_ago=45)
    partial = _partial_file(export)
    report_exports_sweep(timezone.now())
    export.refresh_from_db()
    assert export.status == "running"
    assert exports_storage().exists(partial)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_stamps_the_row_and_writes_progress_from_its_own_thread(
    admin_user,
):
    export = _running(admin_user, beat_minutes_ago=10)
    before = export.heartbeat_at
    with heartbeat(export, every=0.05) as beat:
        beat.progress(done_rows=321)
        time.sleep(0.4)
    export.refresh_from_db()
    assert export.heartbeat_at > before + timedelta(minutes=9)
    assert export.done_rows == 321
    assert export.history.first().history_change_reason == "heartbeat"


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_row_was_queued_again_stops_beating_and_is_told(admin_user):
    from clinic.heartbeat import RunLost

    export = _running(admin_user, beat_minutes_ago=10)
    stale = ReportExport.objects.get(pk=export.pk)
    # Meanwhile the sweeper queued it again and another worker claimed it.
    export.attempts, export.heartbeat_at = 2, timezone.now()
    export.save()
    claimed_beat = export.heartbeat_at
    with heartbeat(stale, every=0.05) as beat:
        beat.progress(done_rows=999)
        time.sleep(0.4)
        assert beat.lost
        with pytest.raises(RunLost):
            beat.check()
    export.refresh_from_db()
    assert (export.heartbeat_at, export.done_rows) == (claimed_beat, 120)


@pytest.mark.django_db(transaction=True)
def test_an_export_file_has_a_random_name_mode_0600_and_downloads_by_its_report(
    admin_client, admin_user, tmp_path, local_file_storages
):
    export = ReportExport.objects.create(
        requested_by=admin_user, report="access-log", format="csv"
    )
    assert report_export_run(export_id=export.pk) == "done"
    export.refresh_from_db()
    assert re.fullmatch(rf"export-{export.pk}-[0-9a-f]{{16}}\.csv", export.file_name)
    folder = tmp_path / "exports"
    assert stat.S_IMODE(os.stat(folder / export.file_name).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert export.attempts == 1 and export.heartbeat_at is not None
    download = admin_client.get(reverse("clinic:export-download", args=[export.pk]))
    assert download["Content-Disposition"] == (
        f'attachment; filename="access-log-{export.pk}.csv"'
    )
