"""What comes back from the clearinghouse: 999, 277CA and 835 files."""

import logging
import shutil

from django.db import transaction
from django.utils.translation import gettext as _

from billing.clearinghouse import inbound_dir
from billing.exceptions import RemittanceRefused
from billing.models import Acknowledgement, Claim, SubmissionBatch
from billing.services.claims import claim_sent_back
from billing.services.remittance import remittance_import
from billing.x12.acks import parse_277ca, parse_999, transaction_kind
from clinic.x12.reader import X12Error

logger = logging.getLogger(__name__)

AWAITING_ACK = ["submitted", "accepted"]


def _reject(claim: Claim, reason: str) -> None:
    claim.status = Claim.Status.REJECTED
    claim.status_reason = reason[:300]
    claim._change_reason = "Rejected by the clearinghouse or payer"
    claim.save()
    claim_sent_back(
        claim,
        outcome="rejected",
        title=_("Claim %(n)s rejected: correct and resubmit")
        % {"n": claim.claim_number},
        reason=reason,
        key=f"claim-rejected:{claim.pk}:{claim.batch_id}",
    )


def ack_import(*, text: str, file_name: str) -> Acknowledgement:
    """A 999 marks its batch accepted or rejected (a rejected file rejects all its
    claims); a 277CA marks each named claim accepted or rejected with the reason."""
    try:
        kind = transaction_kind(text)
        if kind == "999":
            acks = parse_999(text)
        elif kind == "277":
            claim_acks = parse_277ca(text)
        else:
            raise X12Error(f"Expected a 999 or 277CA, found transaction set {kind}.")
    except X12Error as exc:
        raise RemittanceRefused(str(exc)) from None
    with transaction.atomic():
        if kind == "999":
            summary = []
            for ack in acks:
                batch = (
                    SubmissionBatch.objects.select_for_update()
                    .filter(gs_control_number=ack.gs_control)
                    .first()
                )
                if batch is None:
                    summary.append(f"GS {ack.gs_control}: no such batch")
                    continue
                errors = "; ".join(e for s in ack.sets for e in s.errors)
                batch.status = (
                    SubmissionBatch.Status.ACCEPTED
                    if ack.accepted
                    else SubmissionBatch.Status.REJECTED
                )
                batch.ack_detail = (errors or ("Accepted" if ack.accepted else ""))[
                    :500
                ]
                batch._change_reason = "999 received"
                batch.save()
                if not ack.accepted:
                    for claim in batch.claims.filter(status__in=AWAITING_ACK):
                        _reject(
                            claim,
                            _("999: the file was rejected: %(e)s") % {"e": errors},
                        )
                summary.append(
                    f"batch {batch.isa_control_number:09d} "
                    f"{'accepted' if ack.accepted else 'rejected'}"
                )
            record = Acknowledgement.objects.create(
                kind="999",
                file_name=file_name,
                content=text,
                summary="; ".join(summary),
            )
        else:
            claims = {
                c.claim_number: c
                for c in Claim.objects.select_for_update(of=("self",))
                .filter(claim_number__in=[a.claim_number for a in claim_acks])
                .select_related("patient")
            }
            accepted = rejected = unknown = 0
            for item in claim_acks:
                claim = claims.get(item.claim_number)
                if claim is None:
                    unknown += 1
                    continue
                if item.accepted:
                    if claim.status == Claim.Status.SUBMITTED:
                        claim.status = Claim.Status.ACCEPTED
                        claim._change_reason = "277CA: accepted"
                        claim.save()
                    accepted += 1
                elif claim.status in AWAITING_ACK:
                    _reject(claim, f"277CA {item.reason}")
                    rejected += 1
            record = Acknowledgement.objects.create(
                kind="277CA",
                file_name=file_name,
                content=text,
                summary=f"{accepted} accepted, {rejected} rejected, {unknown} unknown",
            )
    return record


def inbound_file_import(*, text: str, file_name: str, actor=None) -> str:
    """One inbound file of any kind the clearinghouse sends; a summary line."""
    try:
        kind = transaction_kind(text)
    except X12Error as exc:
        raise RemittanceRefused(str(exc)) from None
    if kind == "835":
        remittance = remittance_import(text=text, file_name=file_name, actor=actor)
        return (
            f"835 {remittance.trace_number}: {remittance.claim_count} claims, "
            f"{remittance.unmatched_count} unmatched"
        )
    return f"{kind}: {ack_import(text=text, file_name=file_name).summary}"


def inbound_read() -> int:
    """Every file waiting in the inbound folder is imported and moved to
    ``processed/`` (or ``failed/`` with a ``.error.txt`` beside it)."""
    folder = inbound_dir()
    done = 0
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if path.name.startswith("."):
            continue
        try:
            text = path.read_text(encoding="ascii", errors="replace")
            summary = inbound_file_import(text=text, file_name=path.name)
        except RemittanceRefused as exc:
            target = folder / "failed"
            target.mkdir(exist_ok=True)
            (target / f"{path.name}.error.txt").write_text(exc.message + "\n")
            shutil.move(str(path), target / path.name)
            logger.warning("Inbound %s refused: %s", path.name, exc.message)
            continue
        target = folder / "processed"
        target.mkdir(exist_ok=True)
        shutil.move(str(path), target / path.name)
        logger.info("Inbound %s: %s", path.name, summary)
        done += 1
    return done
