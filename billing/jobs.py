"""RQ entry points of billing (queue ``billing``): ids in, one service each."""

from billing.models import SubmissionBatch
from billing.services.inbound import inbound_read
from billing.services.submission import batch_transmit
from billing.services.uploads import remittance_upload_run


def batch_transmit_job(batch_id: int) -> str:
    """Transmit a submission batch; safe to run twice (the service reconciles)."""
    if not SubmissionBatch.objects.filter(pk=batch_id).exists():
        return "missing"
    return batch_transmit(batch_id=batch_id)


def inbound_read_job() -> int:
    """Read the clearinghouse's answers waiting in the inbound folder."""
    return inbound_read()


def remittance_upload_job(upload_id: int) -> str | None:
    """Post an uploaded 835; safe to run twice (the run claims the row)."""
    return remittance_upload_run(upload_id=upload_id)
