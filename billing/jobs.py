"""RQ entry points of billing (queue ``billing``): ids in, one service each."""

from billing.models import SubmissionBatch


def batch_transmit_job(batch_id: int) -> str:
    """Transmit a submission batch; safe to run twice (the service reconciles)."""
    from billing.services.submission import batch_transmit

    if not SubmissionBatch.objects.filter(pk=batch_id).exists():
        return "missing"
    return batch_transmit(batch_id=batch_id)


def inbound_read_job() -> int:
    """Read the clearinghouse's answers waiting in the inbound folder."""
    from billing.services.inbound import inbound_read

    return inbound_read()
