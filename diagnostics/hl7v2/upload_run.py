"""What the HL7 upload job runs: the upload's messages applied ``batches.BATCH`` to
a transaction (each message still all-or-nothing), from where the last run
stopped, with the heartbeat writing how far it is after each batch (queued by
``diagnostics.hl7v2.uploads``)."""

import logging

from django.utils.translation import gettext_lazy as _

from clinic.heartbeat import RunLost, heartbeat, run_claim, run_finish
from diagnostics.hl7v2 import batches
from diagnostics.hl7v2.importer import hl7_messages_check, hl7_receive_batch
from diagnostics.models import Hl7Message, Hl7Upload

logger = logging.getLogger(__name__)

FAILED = _("The import stopped on an error: {error}")


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
            for start in range(upload.done_messages, len(messages), batches.BATCH):
                beat.check()
                for outcome in hl7_receive_batch(
                    raws=messages[start : start + batches.BATCH],
                    source=source,
                    actor=upload.uploaded_by,
                    upload=upload,
                ):
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
