"""HL7 files uploaded on the page: imported by a background job with progress.

The upload is a row first (with the file's text), then a job on the ``default``
queue with its id; the job applies the messages one by one, each in its own
transaction, and its heartbeat writes how far it is. A run whose worker died is
resumed by the sweeper from the last position written; the messages after it that
the dead run had already stored are found again (by their receipt, or their text
when they have no control id) and neither stored nor counted twice.
"""

import logging

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clinic.heartbeat import (
    MAX_ATTEMPTS,
    RunLost,
    heartbeat,
    pending_runs_requeue,
    run_claim,
    run_finish,
    stale_runs_settle,
)
from clinic.queueing import enqueue_on_commit
from diagnostics.hl7v2.importer import hl7_messages_check, hl7_receive_one
from diagnostics.models import Hl7Message, Hl7Upload

logger = logging.getLogger(__name__)

STOPPED = _(
    "The import stopped {attempts} times (its worker was restarted or ran out of "
    "time). The messages read so far are in the list; upload the file again to "
    "import the rest (messages already received are not stored twice)."
)
FAILED = _("The import stopped on an error: {error}")


def hl7_upload_create(*, file_name: str, text: str, actor) -> Hl7Upload:
    """Keep the file and queue its import; a file with a message past the caps or
    a NUL byte is refused whole (Hl7FileRefused) and nothing is kept."""
    messages = hl7_messages_check(text)
    with transaction.atomic():
        upload = Hl7Upload.objects.create(
            file_name=file_name[:200],
            text=text,
            uploaded_by=actor,
            total_messages=len(messages),
        )
        _enqueue(upload)
    return upload


def _enqueue(upload: Hl7Upload) -> None:
    from diagnostics.jobs import hl7_upload_job

    enqueue_on_commit(hl7_upload_job, upload.pk, queue="default")


def hl7_upload_run(*, upload_id: int) -> str | None:
    """Apply the upload's messages from where the last run stopped. None when the
    upload is not waiting (done, or running in another worker)."""
    upload = run_claim(Hl7Upload, upload_id)
    if upload is None:
        return None
    source = f"upload: {upload.file_name}"
    stored = upload.messages.all()
    counts = {
        "done_messages": upload.done_messages,
        "applied_messages": stored.filter(status=Hl7Message.Status.APPLIED).count(),
        "error_messages": stored.exclude(status=Hl7Message.Status.APPLIED).count(),
        "duplicate_messages": upload.duplicate_messages,
    }
    stored_now: set[int] = set()
    try:
        messages = hl7_messages_check(upload.text)
        with heartbeat(upload) as beat:
            for raw in messages[upload.done_messages :]:
                beat.check()
                outcome = hl7_receive_one(
                    raw=raw, source=source, actor=upload.uploaded_by, upload=upload
                )
                counts["done_messages"] += 1
                if outcome.duplicate or outcome.message.pk in stored_now:
                    counts["duplicate_messages"] += 1
                elif not outcome.resumed:
                    stored_now.add(outcome.message.pk)
                    key = "applied_messages" if outcome.ok else "error_messages"
                    counts[key] += 1
                beat.progress(**counts)
        run_finish(
            upload,
            status=Hl7Upload.Status.DONE,
            change_reason="import finished",
            **counts,
        )
    except RunLost:
        logger.warning("HL7 upload %s was taken over; this run stops", upload.pk)
        return None
    except Exception as exc:
        logger.exception("HL7 upload %s failed", upload.pk)
        try:
            run_finish(
                upload,
                status=Hl7Upload.Status.FAILED,
                change_reason="import failed",
                error=str(FAILED).format(error=exc)[:2000],
                **counts,
            )
        except RunLost:
            return None
    return upload.status


def hl7_uploads_sweep(now) -> int:
    """Lost enqueues are sent again; an import whose worker died (no heartbeat
    for minutes) is resumed, or failed after its last attempt."""
    return stale_runs_settle(
        Hl7Upload,
        now=now,
        requeue=_enqueue,
        failed_message=str(STOPPED).format(attempts=MAX_ATTEMPTS),
    ) + pending_runs_requeue(Hl7Upload, now=now, requeue=_enqueue)
