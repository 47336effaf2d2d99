"""HL7 files uploaded on the page: imported by a background job with progress.

The upload is a row first (with the file's text), then a job on the ``default``
queue with its id; the job applies the messages one by one, each in its own
transaction, and its heartbeat writes how far it is. A run whose worker died is
resumed by the sweeper from the last position written; the messages after it that
the dead run had already stored are found again (by their receipt, or their text
when they have no control id) and neither stored nor counted twice.

This module queues (the upload, the sweeper); ``upload_run`` is what the job runs.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clinic.heartbeat import (
    runs_sweep,
)
from clinic.queueing import enqueue_on_commit
from diagnostics.hl7v2.importer import hl7_messages_check
from diagnostics.jobs import hl7_upload_job
from diagnostics.models import Hl7Upload

STOPPED = _(
    "The import stopped {attempts} times (its worker was restarted or ran out of "
    "time). The messages read so far are in the list; upload the file again to "
    "import the rest (messages already received are not stored twice)."
)


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
    enqueue_on_commit(hl7_upload_job, upload.pk, queue="default")


def hl7_uploads_sweep(now) -> int:
    """Lost enqueues are sent again; an import whose worker died (no heartbeat
    for minutes) is resumed, or failed after its last attempt."""
    return runs_sweep(Hl7Upload, now=now, requeue=_enqueue, stopped=STOPPED)
