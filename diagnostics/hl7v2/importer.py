"""Applying ORU^R01 messages: each message all-or-nothing, one ACK each.

A message is stored as an ``Hl7Message`` row whatever happens; its results are
written in one transaction that is rolled back on the first problem, so an order
never holds half a message. Messages with problems wait in the error list and can be
re-processed once the order or catalogue is fixed.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import hl7
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from diagnostics import services
from diagnostics.exceptions import Hl7Error, Hl7FileRefused
from diagnostics.hl7v2.parsing import (
    ERROR,
    REJECT,
    ObxValue,
    header_fields,
    limits_problem,
    parse_oru,
    split_messages,
)
from diagnostics.models import DiagnosticOrder, Hl7Message, Observation, TestDefinition

logger = logging.getLogger(__name__)

APPLICATION, FACILITY = "CLINICOPS", "CLINIC"
INTERNAL_ERROR = (
    "The message could not be applied (an error inside ClinicOps, logged for the "
    "administrators). Re-process it once that is fixed."
)
RESULT_STATUSES = {"P": "P", "F": "F", "C": "C"}
NUMERIC_TYPES = {"NM", "SN"}
CODED_TYPES = {"CE", "CWE", "CNE"}
TEXT_TYPES = {"ST", "TX", "FT"}


@dataclass
class Outcome:
    message: Hl7Message
    applied: list[str]  # accession numbers
    # Received before (same sending facility and MSH-10): ``message`` is the
    # original, its ACK the answer; nothing was stored or applied again.
    duplicate: bool = False
    # Stored by the same upload in an earlier run of its job.
    resumed: bool = False

    @property
    def ok(self) -> bool:
        return self.message.status == Hl7Message.Status.APPLIED


def _ack(text: str, code: str, note: str, ack_id: str) -> str:
    """An ACK for the message; a minimal one when the message could not be read."""
    try:
        message = hl7.parse(text)
        ack = message.create_ack(
            ack_code=code, message_id=ack_id, application=APPLICATION, facility=FACILITY
        )
        if not note:
            return str(ack)
        ack.segment("MSA").assign_field(message.escape(note[:80]), 3)
        if code == "AA":
            return str(ack)
        # ERR-3 207 (application error), ERR-4 E, ERR-8 the whole reason.
        return (
            f"{ack}\rERR|||207^Application internal error^HL70357|E||||"
            f"{message.escape(note)}"
        )
    except Exception:  # noqa: BLE001 - unreadable message: answer without echoing it
        now = timezone.now().strftime("%Y%m%d%H%M%S")
        safe = "".join(ch for ch in note[:80] if ch not in "|^~\\&\r\n")
        return (
            f"MSH|^~\\&|{APPLICATION}|{FACILITY}|||{now}||ACK|{ack_id}|P|2.5.1\r"
            f"MSA|{code}||{safe}"
        )


def _number(obx: ObxValue, test: TestDefinition) -> Decimal:
    raw = obx.values[0] if obx.values else []
    if obx.value_type == "SN":  # structured numeric: comparator^number
        text = "".join(raw[:2]).lstrip("=")
    else:
        text = raw[0] if raw else ""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise Hl7Error(
            ERROR,
            f"OBX {obx.set_id} ({test.name}) has {text!r} where a number is expected.",
        ) from None
    if not number.is_finite():
        raise Hl7Error(ERROR, f"OBX {obx.set_id} ({test.name}) is not a number.")
    return number


def _result(obx: ObxValue, tests: dict[str, TestDefinition]) -> services.ResultValue:
    test = tests.get(obx.code)
    if test is None:
        label = f"{obx.code} {obx.code_text}".strip()
        raise Hl7Error(
            ERROR,
            f"OBX {obx.set_id}: the test {label!r} is not in the catalogue "
            "(results are matched by LOINC code).",
        )
    status = RESULT_STATUSES.get(obx.status)
    if status is None:
        raise Hl7Error(
            ERROR,
            f"OBX {obx.set_id} ({test.name}) has result status {obx.status!r}; "
            "P, F or C are accepted.",
        )
    value = services.ResultValue(
        test=test,
        unit=obx.unit,
        reference_range=obx.reference_range,
        lab_flag=obx.flags[0] if obx.flags else "",
        status=status,
        observed_at=obx.observed_at,
    )
    if not obx.values:
        raise Hl7Error(ERROR, f"OBX {obx.set_id} ({test.name}) carries no value.")
    if obx.value_type in NUMERIC_TYPES:
        if not test.is_numeric:
            raise Hl7Error(
                ERROR,
                f"OBX {obx.set_id}: {test.name} is a {test.result_type} test but the "
                f"lab sent a number ({obx.value_type}).",
            )
        value.numeric = _number(obx, test)
    elif obx.value_type in CODED_TYPES:
        first = obx.values[0] + ["", "", ""]
        value.code, value.text, value.code_system = first[0], first[1], first[2]
        value.text = value.text or value.code
    elif obx.value_type in TEXT_TYPES:
        # A repeated text field is one line per repetition.
        value.text = "\n".join("^".join(rep) for rep in obx.values)
        if test.is_numeric:
            raise Hl7Error(
                ERROR,
                f"OBX {obx.set_id}: {test.name} needs a number but the lab sent text "
                f"({value.text[:40]!r}).",
            )
    else:
        raise Hl7Error(
            ERROR,
            f"OBX {obx.set_id} has value type {obx.value_type!r}; NM, SN, ST, TX, FT, "
            "CE, CWE and CNE are accepted.",
        )
    return value


def _find_order(group, mrn: str) -> DiagnosticOrder:
    numbers = [n for n in (group.placer, group.filler) if n]
    if not numbers:
        raise Hl7Error(
            ERROR,
            f"OBR {group.position} has no placer (OBR-2) or filler (OBR-3) number "
            "to match an order.",
        )
    order = (
        DiagnosticOrder.objects.select_for_update()
        .filter(accession__in=numbers)
        .select_related("patient", "ordering_clinician")
        .first()
    )
    if order is None:
        raise Hl7Error(
            ERROR,
            f"OBR {group.position}: no order has the accession number "
            f"{' or '.join(numbers)}. Check the number, then re-process.",
        )
    if mrn and mrn != order.patient.mrn:
        raise Hl7Error(
            ERROR,
            f"OBR {group.position}: order {order.accession} belongs to MRN "
            f"{order.patient.mrn}, but the message is for MRN {mrn}.",
        )
    if order.status == DiagnosticOrder.Status.CANCELLED:
        raise Hl7Error(
            ERROR,
            f"Order {order.accession} was cancelled ({order.cancel_reason}); "
            "its results are not filed.",
        )
    return order


def _check_not_overwriting(order, value: services.ResultValue, existing) -> None:
    if existing is None or value.status == Observation.Status.CORRECTED:
        return
    if existing.status != Observation.Status.PRELIMINARY:
        raise Hl7Error(
            ERROR,
            f"Order {order.accession} already has a final {value.test.name}; a "
            "change must come as a corrected result (OBX-11 = C).",
        )


def _apply(parsed, record: Hl7Message) -> list[str]:
    codes = {obx.code for group in parsed.orders for obx in group.results}
    tests = {
        t.loinc: t
        for t in TestDefinition.objects.filter(loinc__in=codes).prefetch_related(
            "ranges"
        )
    }
    touched: dict[int, tuple[DiagnosticOrder, bool]] = {}
    for group in parsed.orders:
        order = _find_order(group, parsed.mrn)
        values = [_result(obx, tests) for obx in group.results]
        earlier = {o.test_id: o for o in Observation.objects.filter(order=order)}
        corrected = False
        for value in values:
            existing = earlier.get(value.test.pk)
            _check_not_overwriting(order, value, existing)
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
        record.control_id = parsed.control_id[:50]
        accessions = [g.placer or g.filler for g in parsed.orders]
        record.accession = ", ".join(a for a in accessions if a)[:40]
        duplicate = (
            Hl7Message.objects.filter(
                control_id=parsed.control_id, status=Hl7Message.Status.APPLIED
            )
            .exclude(pk=record.pk)
            .first()
        )
        if duplicate is not None:
            note = f"Already applied as message #{duplicate.pk}; nothing changed."
            record.status, record.error, record.ack_code = "applied", note, "AA"
        else:
            with transaction.atomic():
                applied = _apply(parsed, record)
            record.status, record.error, record.ack_code = "applied", "", "AA"
            note = ""
    except Hl7Error as problem:
        record.status = (
            Hl7Message.Status.REJECTED
            if problem.code == REJECT
            else Hl7Message.Status.ERROR
        )
        record.error, record.ack_code = problem.message, problem.code
        note = problem.message
    record.processed_at = timezone.now()
    record.ack = _ack(record.raw, record.ack_code, note, f"ACK{record.pk}")
    return applied


def receipt_key(raw: str) -> str | None:
    """Sending facility (MSH-4) and message control id (MSH-10): what makes a
    message the same message when a lab sends it again. None without an MSH-10."""
    header = header_fields(raw)
    control_id = header[10].strip() if len(header) > 10 else ""
    if not control_id:
        return None
    return f"{header[4].strip()[:180]}|{control_id[:50]}"


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
            record = Hl7Message(
                raw=raw,
                source=source[:200],
                received_by=actor,
                status=Hl7Message.Status.ERROR,
                ack_code=ERROR,
                receipt_key=key,
                upload=upload,
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
            record.status, record.ack_code = Hl7Message.Status.ERROR, ERROR
            record.error = INTERNAL_ERROR
            record.processed_at = timezone.now()
            record.ack = _ack(record.raw, ERROR, INTERNAL_ERROR, f"ACK{record.pk}")
            applied = []
        record._change_reason = f"received: {record.status}"
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


def hl7_receive(*, text: str, source: str = "", actor=None) -> list[Outcome]:
    """Store and apply every message of a file, each on its own; a file with a
    message past the caps is refused whole (Hl7FileRefused) before any is stored."""
    return [
        hl7_receive_one(raw=raw, source=source, actor=actor)
        for raw in hl7_messages_check(text)
    ]


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
