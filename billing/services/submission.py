"""Submission: ready claims become one 837P batch, transmitted at most once."""

import logging
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.claim_rows import claim_rows_for_837
from billing.clearinghouse import TransmitError, get_backend
from billing.exceptions import BillingError
from billing.models import Claim, ClaimLine, ControlNumber, SubmissionBatch
from billing.scrubber import scrub
from billing.x12.writer_837 import Envelope, transaction_count, write_837p
from clinic.queueing import enqueue_on_commit

# By path: the job module imports this one.
TRANSMIT_JOB = "billing.jobs.batch_transmit_job"

logger = logging.getLogger(__name__)

NOTHING_READY = "No claim is ready to submit."
NOTHING_REVIEWED = "No claim was on the review: open the review and confirm again."
LEFT_OUT = (
    "{claim} was left out: it is {status} now, not ready as it was on the review."
)
NOT_RETRYABLE = "Only a batch that could not be sent can be sent again."
ISA_MAX = 999_999_999


def control_numbers_take(name: str, count: int = 1) -> int:
    """The first of ``count`` new, increasing control numbers of one kind.

    The counter row is locked until the caller's transaction ends, so two batches
    never share a number.
    """
    counter, _created = ControlNumber.objects.select_for_update().get_or_create(
        name=name
    )
    first = counter.last_value + 1
    counter.last_value += count
    if counter.last_value > ISA_MAX:
        raise BillingError(_("The %(name)s control numbers ran out.") % {"name": name})
    counter.save()
    return first


def claims_for_837(claim_ids) -> list[Claim]:
    """Claims with everything the 837P writer reads, in a handful of queries."""
    return list(
        Claim.objects.filter(pk__in=claim_ids)
        .select_related(
            "patient",
            "coverage",
            "payer",
            "billing_provider",
            "rendering_provider",
            "primary_claim__coverage",
            "primary_claim__payer",
        )
        .prefetch_related(
            Prefetch("lines", queryset=ClaimLine.objects.order_by("line_number"))
        )
        .order_by("id")
    )


def envelope_for(*, isa: int, gs: int, st: int, now, provider) -> Envelope:
    return Envelope(
        sender_id=settings.CLEARINGHOUSE_SENDER_ID,
        receiver_id=settings.CLEARINGHOUSE_RECEIVER_ID,
        receiver_name=settings.CLEARINGHOUSE_RECEIVER_NAME,
        submitter_name=provider.name if provider else settings.CLINIC_NAME,
        contact_name=provider.contact_name if provider else "Billing office",
        contact_phone=provider.contact_phone if provider else "0000000000",
        usage=settings.X12_USAGE_INDICATOR,
        isa_control=isa,
        gs_control=gs,
        st_control_start=st,
        created=timezone.localtime(now),
    )


@dataclass(frozen=True)
class ReviewedSubmission:
    batch: SubmissionBatch | None
    left_out: list[str]  # why each reviewed claim that did not go was left out


def claims_submit_reviewed(*, actor, claim_ids, now=None) -> ReviewedSubmission:
    """Exactly the claims a biller reviewed go out, in one batch; a claim that is
    no longer ready (changed since the review, or refused by the scrubber now)
    stays behind and is named. No claim is sent that was not on the review."""
    ids = sorted({int(pk) for pk in claim_ids})
    if not ids:
        raise BillingError(_(NOTHING_REVIEWED))
    batch = claims_submit(actor=actor, claim_ids=ids, now=now)
    sent = set(batch.claims.values_list("pk", flat=True)) if batch else set()
    left_out = [
        _(LEFT_OUT).format(claim=claim.claim_number, status=claim.get_status_display())
        for claim in Claim.objects.filter(pk__in=ids)
        .exclude(pk__in=sent)
        .order_by("id")
    ]
    return ReviewedSubmission(batch, left_out)


def claims_submit(*, actor, claim_ids=None, now=None) -> SubmissionBatch | None:
    """Every ready claim (or the given ones) goes into one new batch, in one
    transaction; the transmission job is enqueued after commit. A claim the
    scrubber now finds fault with goes back to draft instead."""
    now = now or timezone.now()
    with transaction.atomic():
        candidates = Claim.objects.select_for_update(skip_locked=True).filter(
            status=Claim.Status.READY
        )
        if claim_ids is not None:
            candidates = candidates.filter(pk__in=list(claim_ids))
        ids = list(candidates.order_by("id").values_list("pk", flat=True))
        if not ids:
            return None
        claims = claims_for_837(ids)
        clean = []
        for claim in claims:
            errors = scrub(claim, lines=claim.lines.all())
            if errors:
                claim.status = Claim.Status.DRAFT
                claim.scrub_errors = errors
                claim.scrubbed_at = now
                claim._change_reason = "Scrubber errors at submission"
                claim.save()
            else:
                clean.append(claim)
        if not clean:
            return None
        isa = control_numbers_take("ISA")
        gs = control_numbers_take("GS")
        sets = transaction_count(len(clean))
        st = control_numbers_take("ST", sets)
        envelope = envelope_for(
            isa=isa, gs=gs, st=st, now=now, provider=clean[0].billing_provider
        )
        batch = SubmissionBatch.objects.create(
            isa_control_number=isa,
            gs_control_number=gs,
            st_control_number=st,
            transaction_count=sets,
            file_name=f"837P_{isa:09d}.x12",
            claim_count=len(clean),
            total_charge=sum(c.total_charge for c in clean),
            created_by=actor,
            created_at=now,
        )
        for claim in clean:
            claim.status = Claim.Status.SUBMITTED
            claim.batch = batch
            claim.submitted_at = now
            claim.status_reason = ""
            claim._change_reason = f"Submitted in batch {isa:09d}"
            claim.save()
        batch.content = write_837p(
            claims=claim_rows_for_837(Claim.objects.filter(batch=batch)),
            envelope=envelope,
        )
        batch._change_reason = "837P written"
        batch.save()
        enqueue_on_commit(TRANSMIT_JOB, batch.pk, queue="billing")
    return batch


def _mark_sent(batch: SubmissionBatch, reference: str, reason: str) -> None:
    batch.status = SubmissionBatch.Status.SENT
    batch.transmitted_at = timezone.now()
    batch.remote_reference = reference[:120]
    batch.last_error = ""
    batch._change_reason = reason
    batch.save()


BATCH_LOCK_SPACE = 837


@contextmanager
def _batch_lock(batch_id: int):
    """A PostgreSQL session lock per batch: a second run waits for the first, and a
    worker that dies releases it with its connection."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [BATCH_LOCK_SPACE, batch_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_unlock(%s, %s)", [BATCH_LOCK_SPACE, batch_id]
            )


def batch_transmit(*, batch_id: int) -> str:
    with _batch_lock(batch_id):
        return _batch_transmit(batch_id)


def _batch_transmit(batch_id: int) -> str:
    """Send a batch to the clearinghouse at most once.

    ``transmitting`` is committed before the file leaves and ``sent`` after; runs of
    one batch are serialised by a lock, so a second run waits and finds it sent. A
    run that finds ``transmitting`` (the worker died between the two) asks the
    clearinghouse whether the file arrived and only sends when it did not.
    """
    done = {
        SubmissionBatch.Status.SENT,
        SubmissionBatch.Status.ACCEPTED,
        SubmissionBatch.Status.REJECTED,
        SubmissionBatch.Status.FAILED,
    }
    backend = get_backend()
    with transaction.atomic():
        batch = SubmissionBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status in done:
            return batch.status
        if batch.status == SubmissionBatch.Status.TRANSMITTING:
            try:
                received = backend.was_received(batch)
            except TransmitError as exc:
                batch.last_error = str(exc)[:500]
                batch.save()
                return "unknown"
            if received:
                _mark_sent(batch, "reconciled", "Found at the clearinghouse")
                return "reconciled"
        batch.status = SubmissionBatch.Status.TRANSMITTING
        batch.attempts += 1
        batch.transmit_started_at = timezone.now()
        batch.backend = backend.name
        batch._change_reason = "Transmission started"
        batch.save()
    with transaction.atomic():
        batch = SubmissionBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != SubmissionBatch.Status.TRANSMITTING:
            return batch.status
        try:
            reference = backend.transmit(batch)
        except TransmitError as exc:
            batch.status = SubmissionBatch.Status.FAILED
            batch.last_error = str(exc)[:500]
            batch._change_reason = "Transmission failed"
            batch.save()
            logger.warning("Batch %s not sent: %s", batch.pk, exc)
            return "failed"
        _mark_sent(batch, reference, "Transmitted")
    return "sent"


def batch_retry(*, batch: SubmissionBatch, actor) -> SubmissionBatch:
    """A batch that could not be sent is queued again (the same file)."""
    with transaction.atomic():
        batch = SubmissionBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != SubmissionBatch.Status.FAILED:
            raise BillingError(_(NOT_RETRYABLE))
        batch.status = SubmissionBatch.Status.PENDING
        batch._change_reason = "Sent again by billing"
        batch.save()
        enqueue_on_commit(TRANSMIT_JOB, batch.pk, queue="billing")
    return batch
