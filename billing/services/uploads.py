"""835 files uploaded on the page: posted by a background job with progress.

The upload is a row first (with the file's text), then a job on the ``billing``
queue with its id. The posting is one transaction (an 835 is posted whole or not
at all), so a run whose worker died left nothing behind and the sweeper simply
runs it again; its progress reaches the page through the heartbeat's own
connection while that transaction is still open.
"""

import logging

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from billing.exceptions import RemittanceRefused
from billing.models import RemittanceUpload
from billing.services.remittance import remittance_import, remittance_upload_check
from clinic.heartbeat import (
    RunLost,
    heartbeat,
    run_claim,
    run_finish,
    runs_sweep,
)
from clinic.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

STOPPED = _(
    "The posting stopped {attempts} times (its worker was restarted or ran out of "
    "time or memory); nothing of the file was posted. Upload it again, or post it "
    "with manage.py import_835."
)
FAILED = _("The posting stopped on an error; nothing was posted: {error}")


def remittance_upload_create(*, file_name: str, text: str, actor) -> RemittanceUpload:
    """Keep the file and queue its posting. A file with a NUL byte or a trace
    number already posted is refused at once (RemittanceRefused); the rest of the
    835's rules are checked by the posting."""
    remittance_upload_check(text=text)
    with transaction.atomic():
        upload = RemittanceUpload.objects.create(
            file_name=file_name[:200], text=text, uploaded_by=actor
        )
        _enqueue(upload)
    return upload


def _enqueue(upload: RemittanceUpload) -> None:
    # By path: the job module imports this one.
    enqueue_on_commit("billing.jobs.remittance_upload_job", upload.pk, queue="billing")


def remittance_upload_run(*, upload_id: int) -> str | None:
    """Post the upload's 835. None when it is not waiting (posted, refused, or
    running in another worker)."""
    upload = run_claim(RemittanceUpload, upload_id)
    if upload is None:
        return None
    try:
        with heartbeat(upload) as beat:

            def progress(done: int, total: int) -> None:
                beat.progress(done_claims=done, total_claims=total)

            with transaction.atomic():
                remittance = remittance_import(
                    text=upload.text,
                    file_name=upload.file_name,
                    actor=upload.uploaded_by,
                    progress=progress,
                )
                run_finish(
                    upload,
                    status=RemittanceUpload.Status.DONE,
                    change_reason=f"posted as 835 {remittance.trace_number}",
                    remittance=remittance,
                    total_claims=remittance.claim_count,
                    done_claims=remittance.claim_count,
                )
    except RunLost:
        logger.warning("835 upload %s was taken over; this run stops", upload.pk)
        return None
    except RemittanceRefused as refused:
        return _fail(upload, refused.message)
    except Exception as exc:
        logger.exception("835 upload %s failed", upload.pk)
        return _fail(upload, str(FAILED).format(error=exc))
    return upload.status


def _fail(upload: RemittanceUpload, error: str) -> str | None:
    try:
        run_finish(
            upload,
            status=RemittanceUpload.Status.FAILED,
            change_reason="refused",
            error=error[:2000],
        )
    except RunLost:
        return None
    return upload.status


def remittance_uploads_sweep(now) -> int:
    """Lost enqueues are sent again; a posting whose worker died (no heartbeat for
    minutes) runs again, or fails after its last attempt."""
    return runs_sweep(RemittanceUpload, now=now, requeue=_enqueue, stopped=STOPPED)
