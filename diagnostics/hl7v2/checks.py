"""What a message must be to apply, shared by the one-message path (``importer``)
and the batch path (``batches``): each OBX read as a value of a catalogue test,
the order matched and allowed to take results, no final result overwritten; and
the ACK that answers a message."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import hl7
from django.utils import timezone

from diagnostics import services
from diagnostics.exceptions import Hl7Error
from diagnostics.hl7v2.parsing import ERROR, REJECT, ObxValue, header_fields
from diagnostics.models import DiagnosticOrder, Hl7Message, Observation, TestDefinition

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


def ack_for(text: str, code: str, note: str, ack_id: str, parsed=None) -> str:
    """An ACK for the message (``parsed``: read already); a minimal one when the
    message could not be read."""
    try:
        message = parsed if parsed is not None else hl7.parse(text)
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


def result_value(
    obx: ObxValue, tests: dict[str, TestDefinition]
) -> services.ResultValue:
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


def catalogue_for(*messages) -> dict[str, TestDefinition]:
    """The catalogue's tests the messages' OBX segments name, by LOINC code."""
    codes = {
        obx.code
        for parsed in messages
        for group in parsed.orders
        for obx in group.results
    }
    found = TestDefinition.objects.filter(loinc__in=codes).prefetch_related("ranges")
    return {test.loinc: test for test in found}


def order_numbers(group) -> list[str]:
    """The placer (OBR-2) and filler (OBR-3) numbers an order is matched by."""
    numbers = [n for n in (group.placer, group.filler) if n]
    if not numbers:
        raise Hl7Error(
            ERROR,
            f"OBR {group.position} has no placer (OBR-2) or filler (OBR-3) number "
            "to match an order.",
        )
    return numbers


def order_check(order, group, mrn: str) -> DiagnosticOrder:
    """The order an OBR group matched (None: none did) may take its results."""
    if order is None:
        raise Hl7Error(
            ERROR,
            f"OBR {group.position}: no order has the accession number "
            f"{' or '.join(order_numbers(group))}. Check the number, then re-process.",
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


def orders_locked(numbers):
    """Orders by accession number, locked, with their patient and clinician."""
    return (
        DiagnosticOrder.objects.select_for_update(of=("self",))
        .filter(accession__in=numbers)
        .select_related("patient", "ordering_clinician")
    )


def check_not_overwriting(order, value: services.ResultValue, existing) -> None:
    if existing is None or value.status == Observation.Status.CORRECTED:
        return
    if existing.status != Observation.Status.PRELIMINARY:
        raise Hl7Error(
            ERROR,
            f"Order {order.accession} already has a final {value.test.name}; a "
            "change must come as a corrected result (OBX-11 = C).",
        )


def receipt_key(raw: str) -> str | None:
    """Sending facility (MSH-4) and message control id (MSH-10): what makes a
    message the same message when a lab sends it again. None without an MSH-10."""
    header = header_fields(raw)
    control_id = header[10].strip() if len(header) > 10 else ""
    if not control_id:
        return None
    return f"{header[4].strip()[:180]}|{control_id[:50]}"


def record_new(*, raw: str, key, source: str, actor, upload) -> Hl7Message:
    """A received message's row, unsaved: an error until it is applied."""
    return Hl7Message(
        raw=raw,
        source=source[:200],
        received_by=actor,
        status=Hl7Message.Status.ERROR,
        ack_code=ERROR,
        receipt_key=key,
        upload=upload,
    )


def record_parsed(record: Hl7Message, parsed) -> None:
    record.control_id = parsed.control_id[:50]
    accessions = [g.placer or g.filler for g in parsed.orders]
    record.accession = ", ".join(a for a in accessions if a)[:40]


def record_applied(record: Hl7Message, duplicate_of: Hl7Message | None = None):
    """Applied (or applied before as ``duplicate_of``: nothing changed)."""
    record.status, record.ack_code = Hl7Message.Status.APPLIED, "AA"
    record.error = (
        f"Already applied as message #{duplicate_of.pk}; nothing changed."
        if duplicate_of is not None
        else ""
    )


def record_refused(record: Hl7Message, problem: Hl7Error) -> None:
    record.status = (
        Hl7Message.Status.REJECTED
        if problem.code == REJECT
        else Hl7Message.Status.ERROR
    )
    record.error, record.ack_code = problem.message, problem.code


def record_answered(record: Hl7Message, parsed=None) -> None:
    """The ACK of the outcome on the row; its note is the error (or the duplicate's).
    ``parsed``: the message as ``parse_oru`` read it."""
    record.processed_at = timezone.now()
    record.ack = ack_for(
        record.raw,
        record.ack_code,
        record.error,
        f"ACK{record.pk}",
        parsed.message if parsed is not None else None,
    )
    record._change_reason = f"received: {record.status}"


def record_failed_inside(record: Hl7Message) -> None:
    """An error inside ClinicOps (logged by the caller): the message waits."""
    record_refused(record, Hl7Error(ERROR, INTERNAL_ERROR))
    record_answered(record)
