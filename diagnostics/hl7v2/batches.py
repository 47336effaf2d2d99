"""Many ORU^R01 messages in one transaction, each still all-or-nothing.

Every message of a batch is read and checked (catalogue, order, results the order
holds as the batch has left them) before anything of it is written: a message
with a problem writes nothing but its row and ACK, and the others land. Then the
batch is written a statement a kind of row (messages, results, orders; events and
alerts; history rows with them). The caller (``importer.hl7_receive``) runs a
batch in one transaction; when a write fails (another import took an order's
result meanwhile), the batch is rolled back and its messages are applied one by
one.
"""

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db.models import Prefetch

from alerts.services import alerts_raise_many
from automations.events import publish_many
from clinic.history import rows_create, rows_save, server_side_binding
from diagnostics import services
from diagnostics.exceptions import Hl7Error
from diagnostics.hl7v2 import checks
from diagnostics.hl7v2.checks import Outcome
from diagnostics.hl7v2.parsing import parse_oru
from diagnostics.models import DiagnosticOrder, Hl7Message, Observation

# Messages a transaction.
BATCH = 100
HL7 = Observation.Source.HL7

OBSERVATION_FIELDS = [
    "value_numeric",
    "value_text",
    "value_code",
    "value_code_system",
    "unit",
    "reference_range",
    "flag",
    "flag_from_lab",
    "status",
    "source",
    "hl7_message",
    "observed_at",
    "resulted_at",
    "entered_by",
    "comment",
]
RECORD_FIELDS = ["control_id", "accession", "status", "error", "ack_code", "ack"]
RECORD_FIELDS += ["processed_at"]
ORDER_FIELDS = ["status", "resulted_at", "reviewed_at", "reviewed_by", "collected_at"]


@contextmanager
def cyclic_gc_paused():
    """The block runs without the cyclic garbage collector. A batch's thousands of
    short-lived objects (rows, parsed fields) then die by reference counting when
    it ends, instead of being moved into the oldest generation, whose full
    collections they would bring on every few batches (about 0.2 s each in a
    process holding Django: as long as the batch itself)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class _Order:
    """An order as the batch has left it so far."""

    rank: int  # in the orders' own ordering: the first of two matches wins
    order: DiagnosticOrder
    results: dict  # test id → Observation
    ordered: set
    changed: bool = False


@dataclass
class _Writes:
    new: list = field(default_factory=list)
    changed: dict = field(default_factory=dict)  # id() → Observation
    critical: list = field(default_factory=list)  # (observation, was critical)
    resulted: list = field(default_factory=list)  # _Orders now due for review


def _orders(messages) -> dict[str, _Order]:
    numbers = {n for p in messages for g in p.orders for n in (g.placer, g.filler) if n}
    found = checks.orders_locked(numbers).prefetch_related(
        Prefetch("observations", queryset=Observation.objects.select_related("test")),
        "items",
    )
    by_number: dict[str, _Order] = {}
    for rank, order in enumerate(found):
        by_number[order.accession] = _Order(
            rank,
            order,
            {o.test_id: o for o in order.observations.all()},
            {item.test_id for item in order.items.all()},
        )
    return by_number


def _check(parsed, tests, orders: dict[str, _Order]) -> list:
    """Every group's order and values, refused (Hl7Error) before anything changes."""
    checked, staged = [], {}
    for group in parsed.orders:
        matches = [orders[n] for n in checks.order_numbers(group) if n in orders]
        held = min(matches, key=lambda o: o.rank) if matches else None
        checks.order_check(held and held.order, group, parsed.mrn)
        values = [checks.result_value(obx, tests) for obx in group.results]
        for value in values:
            key = (held.order.pk, value.test.pk)
            existing = staged.get(key) or held.results.get(value.test.pk)
            checks.check_not_overwriting(held.order, value, existing)
            staged[key] = value
        checked.append((group, held, values))
    return checked


def _apply(parsed, record, checked, writes: _Writes) -> list[str]:
    """Write the checked message into the batch's rows; its accessions."""
    touched: dict[int, tuple[_Order, bool]] = {}
    for group, held, values in checked:
        order = held.order
        corrected = False
        for value in values:
            existing = held.results.get(value.test.pk)
            was_critical = existing is not None and existing.is_critical
            observation = services.observation_fill(
                existing, order=order, value=value, source=HL7, hl7_message=record
            )
            if existing is None:
                writes.new.append(observation)
            elif observation.pk is not None:
                writes.changed[id(observation)] = observation
            if was_critical or observation.is_critical:
                writes.critical.append((observation, was_critical))
            held.results[value.test.pk] = observation
            corrected = corrected or value.status == Observation.Status.CORRECTED
        if group.observed_at and order.collected_at is None:
            order.collected_at, held.changed = group.observed_at, True
        previous = touched.get(order.pk)
        touched[order.pk] = (held, corrected or bool(previous and previous[1]))
    for held, corrected in touched.values():
        status = services.order_status_for(
            results={t: o.status for t, o in held.results.items()},
            ordered=held.ordered,
            corrected=corrected,
        )
        held.changed = services.order_status_set(held.order, status) or held.changed
        if status in services.REVIEW_DUE:
            writes.resulted.append(held)
    return [held.order.accession for held, _c in touched.values()]


def _write(writes: _Writes, orders: dict[str, _Order]) -> None:
    rows_create(writes.new, Observation)
    rows_save(writes.changed.values(), OBSERVATION_FIELDS)
    for observation, was_critical in writes.critical:
        services.result_recorded(observation, was_critical=was_critical)
    rows_save([o.order for o in orders.values() if o.changed], ORDER_FIELDS)
    resulted = [held.order for held in writes.resulted]
    # The orders' result flags as the batch has left them: subject_facts's reading.
    flags = [{str(o.flag) for o in held.results.values()} for held in writes.resulted]
    publish_many(
        "result.resulted",
        subjects=resulted,
        subject_facts=[{"result_flags": sorted(f)} for f in flags],
    )
    alerts_raise_many([services.review_alert(order) for order in resulted])


def _received(raws, *, source: str, actor, upload) -> list:
    """(raw, stored row, Outcome of a message received before or None), as
    ``importer.hl7_receive_one`` finds them: by receipt key, else (with
    ``upload``) a key-less message this upload stored before."""
    keys = [checks.receipt_key(raw) for raw in raws]
    before = {m.receipt_key: m for m in Hl7Message.objects.filter(receipt_key__in=keys)}
    keyless = [raw for raw, key in zip(raws, keys, strict=True) if not key]
    by_raw: dict[str, Hl7Message] = {}
    if upload is not None and keyless:
        for message in upload.messages.filter(raw__in=keyless).order_by("pk"):
            by_raw.setdefault(message.raw, message)
    received, new = [], []
    for raw, key in zip(raws, keys, strict=True):
        original = before.get(key) if key else by_raw.get(raw)
        if original is not None:
            resumed = upload is not None and original.upload_id == upload.pk
            outcome = Outcome(original, [], duplicate=not resumed, resumed=resumed)
            received.append((raw, original, outcome))
            continue
        record = checks.record_new(
            raw=raw, key=key, source=source, actor=actor, upload=upload
        )
        if key:
            before[key] = record
        elif upload is not None:
            by_raw[raw] = record
        new.append(record)
        received.append((raw, record, None))
    rows_create(new, Hl7Message)
    return received


def messages_apply(
    *, raws: list[str], source: str = "", actor=None, upload=None
) -> list[Outcome]:
    """Store and apply the messages (call inside a transaction); one Outcome each,
    in order, as ``importer.hl7_receive_one`` gives."""
    received = _received(raws, source=source, actor=actor, upload=upload)
    parsed, problems = {}, {}
    for raw, record, outcome in received:
        if outcome is None:
            try:
                parsed[id(record)] = parse_oru(raw)
                checks.record_parsed(record, parsed[id(record)])
            except Hl7Error as problem:
                problems[id(record)] = problem
    tests = checks.catalogue_for(*parsed.values())
    orders = _orders(parsed.values())
    applied_as = {}
    for message in Hl7Message.objects.filter(
        control_id__in={p.control_id for p in parsed.values()},
        status=Hl7Message.Status.APPLIED,
    ).order_by("pk"):
        applied_as.setdefault(message.control_id, message)
    writes, outcomes, records = _Writes(), [], []
    for _raw, record, outcome in received:
        if outcome is not None:
            outcomes.append(outcome)
            continue
        done: list[str] = []
        message = parsed.get(id(record))
        try:
            if message is None:
                raise problems[id(record)]
            duplicate = applied_as.get(message.control_id)
            if duplicate is None:
                done = _apply(message, record, _check(message, tests, orders), writes)
                applied_as[message.control_id] = record
            checks.record_applied(record, duplicate)
        except Hl7Error as problem:
            checks.record_refused(record, problem)
        checks.record_answered(record, message)
        records.append(record)
        outcomes.append(Outcome(message=record, applied=done))
    with server_side_binding():
        _write(writes, orders)
        rows_save(records, RECORD_FIELDS)
    return outcomes
