"""Applying ORU^R01 messages: each message all-or-nothing, one ACK each.

A message is stored as an ``Hl7Message`` row whatever happens; its results are
written in one transaction that is rolled back on the first problem, so an order
never holds half a message. Messages with problems wait in the error list and can be
re-processed once the order or catalogue is fixed.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from diagnostics import services
from diagnostics.exceptions import Hl7Error, Hl7FileRefused
from diagnostics.hl7v2 import batches
from diagnostics.hl7v2.checks import (
    Outcome,
    catalogue_for,
    check_not_overwriting,
    order_check,
    order_numbers,
    orders_locked,
    receipt_key,
    record_answered,
    record_applied,
    record_failed_inside,
    record_new,
    record_parsed,
    record_refused,
    result_value,
)
from diagnostics.hl7v2.parsing import (
    limits_problem,
    parse_oru,
    split_messages,
)
from diagnostics.models import DiagnosticOrder, Hl7Message, Observation

logger = logging.getLogger(__name__)


def _apply(parsed, record: Hl7Message) -> list[str]:
    tests = catalogue_for(parsed)
    touched: dict[int, tuple[DiagnosticOrder, bool]] = {}
    for group in parsed.orders:
        order = order_check(
            orders_locked(order_numbers(group)).first(), group, parsed.mrn
        )
        values = [result_value(obx, tests) for obx in group.results]
        earlier = {o.test_id: o for o in Observation.objects.filter(order=order)}
        corrected = False
        for value in values:
            existing = earlier.get(value.test.pk)
            check_not_overwriting(order, value, existing)
            earlier[value.test.pk] = services.result_record(
                order=order,
                value=value,
                source=Observation.Source.HL7,
                hl7_message=record,
                existing=existing,
            )
            corrected = corrected or value.status == Observation.Status.CORRECTED
        if group.observed_at and order.collected_at is None:
            order.collected_at = group.observed_at
        previous = touched.get(order.pk)
        touched[order.pk] = (order, corrected or (previous and previous[1]) or False)
    for order, corrected in touched.values():
        services.order_status_refresh(order=order, corrected=corrected)
    return [order.accession for order, _c in touched.values()]


def _process(record: Hl7Message) -> list[str]:
    """Apply the stored message; record the outcome and the ACK on the row."""
    applied: list[str] = []
    try:
        parsed = parse_oru(record.raw)
        record_parsed(record, parsed)
        duplicate = (
            Hl7Message.objects.filter(
                control_id=parsed.control_id, status=Hl7Message.Status.APPLIED
            )
            .exclude(pk=record.pk)
            .first()
        )
        if duplicate is None:
            with transaction.atomic():
                applied = _apply(parsed, record)
        record_applied(record, duplicate)
    except Hl7Error as problem:
        record_refused(record, problem)
    record_answered(record)
    return applied


def hl7_receive_one(*, raw: str, source: str = "", actor=None, upload=None) -> Outcome:
    """Store and apply one message, in one transaction.

    A message already received (same sending facility and MSH-10) is not stored
    again: the answer is the original's ACK. A message the importer cannot handle
    at all is kept in the error list rather than stopping a whole file. With
    ``upload``, a message this upload already stored (a run resumed after its
    worker died) comes back as ``resumed``.
    """
    key = receipt_key(raw)
    with transaction.atomic():
        if key:
            original = Hl7Message.objects.filter(receipt_key=key).first()
        elif upload is not None:
            original = upload.messages.filter(raw=raw).first()
        else:
            original = None
        if original is None:
            record = record_new(
                raw=raw, key=key, source=source, actor=actor, upload=upload
            )
            try:
                with transaction.atomic():
                    record.save()
            except IntegrityError:  # the same message, received meanwhile
                original = Hl7Message.objects.get(receipt_key=key)
        if original is not None:
            resumed = upload is not None and original.upload_id == upload.pk
            return Outcome(
                message=original, applied=[], duplicate=not resumed, resumed=resumed
            )
        try:
            with transaction.atomic():
                applied = _process(record)
        except Exception:
            logger.exception("HL7 message %s could not be processed", record.pk)
            record_failed_inside(record)
            applied = []
        record.save()
    return Outcome(message=record, applied=applied)


def hl7_messages_check(text: str) -> list[str]:
    """The messages of a file, or Hl7FileRefused (nothing stored) when one passes
    the size caps or carries a NUL byte."""
    messages = split_messages(text)
    problem = limits_problem(messages)
    if problem:
        raise Hl7FileRefused(problem)
    return messages


def hl7_receive_batch(
    *, raws: list[str], source: str = "", actor=None, upload=None
) -> list[Outcome]:
    """Store and apply the messages in one transaction, each all-or-nothing
    (``batches``); one Outcome each, as ``hl7_receive_one`` gives. A batch whose
    writes fail is rolled back and its messages applied one transaction each."""
    try:
        with transaction.atomic(), batches.cyclic_gc_paused():
            return batches.messages_apply(
                raws=raws, source=source, actor=actor, upload=upload
            )
    except Exception:
        logger.exception("HL7 batch of %s messages failed: one by one", len(raws))
    return [
        hl7_receive_one(raw=raw, source=source, actor=actor, upload=upload)
        for raw in raws
    ]


def hl7_receive(*, text: str, source: str = "", actor=None) -> list[Outcome]:
    """Store and apply every message of a file, each on its own, ``batches.BATCH``
    messages a transaction; a file with a message past the caps is refused whole
    (Hl7FileRefused) before any is stored."""
    return hl7_receive_all(raws=hl7_messages_check(text), source=source, actor=actor)


def hl7_receive_all(*, raws: list[str], source: str = "", actor=None) -> list[Outcome]:
    """Messages already checked (``hl7_messages_check``), ``batches.BATCH`` a
    transaction, each all-or-nothing."""
    outcomes: list[Outcome] = []
    for start in range(0, len(raws), batches.BATCH):
        batch = raws[start : start + batches.BATCH]
        outcomes += hl7_receive_batch(raws=batch, source=source, actor=actor)
    return outcomes


def hl7_reprocess(*, message: Hl7Message, actor) -> Outcome:
    """Try a message from the error list again (after the order was fixed)."""
    if message.status == Hl7Message.Status.APPLIED:
        return Outcome(message=message, applied=[])
    message.attempts += 1
    applied = _process(message)
    message._change_reason = (
        f"re-processed by {actor.get_username() if actor else 'system'}: "
        f"{message.status}"
    )
    message.save()
    return Outcome(message=message, applied=applied)


def hl7_set_aside(*, message: Hl7Message, note: str, actor) -> Hl7Message:
    """A message that will never apply (a test message, a duplicate) leaves the
    error list with a note."""
    if not note.strip():
        raise ValidationError({"note": "Say why the message is set aside."})
    if message.status == Hl7Message.Status.APPLIED:
        return message
    message.status = Hl7Message.Status.RESOLVED
    message.error = f"{message.error}\nSet aside: {note.strip()}".strip()
    message._change_reason = f"set aside by {actor.get_username()}: {note.strip()}"
    message.save()
    return message
