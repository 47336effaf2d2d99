"""Billing's periodic duties (listed in clinic/dispatch.py SWEEPERS)."""

from datetime import datetime, timedelta

from django.conf import settings

from billing.jobs import batch_transmit_job
from billing.models import SubmissionBatch
from billing.services.inbound import inbound_read
from clinic.queueing import enqueue_on_commit

# A batch still pending or transmitting after this long lost its job (Redis down,
# worker killed): the sweeper hands it on again and the job reconciles.
STALE_MINUTES = 5


def transmit_stale_batches(now: datetime) -> int:
    cutoff = now - timedelta(minutes=STALE_MINUTES)
    stale = SubmissionBatch.objects.filter(
        status__in=[
            SubmissionBatch.Status.PENDING,
            SubmissionBatch.Status.TRANSMITTING,
        ],
        created_at__lt=cutoff,
    ).values_list("pk", flat=True)
    count = 0
    for batch_id in stale:
        enqueue_on_commit(batch_transmit_job, batch_id, queue="billing")
        count += 1
    return count


def read_clearinghouse_inbound(now: datetime) -> int:
    """The folder backend's answers (999, 277CA, 835) are read as they arrive."""
    if settings.CLEARINGHOUSE_BACKEND != "folder":
        return 0
    return inbound_read()
