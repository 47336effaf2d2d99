"""Reading ORU^R01 messages with python-hl7 into plain values, checking their
structure. Every problem is an ``Hl7Error`` with a sentence a person can act on."""

from dataclasses import dataclass, field
from datetime import datetime

import hl7
from django.utils import timezone

from diagnostics.exceptions import Hl7Error
from diagnostics.hl7v2.segments import Segments

REJECT, ERROR = "AR", "AE"

# Segments an ORU^R01 may carry (HL7 v2.5.1 chapter 7); Z-segments are ignored.
KNOWN_SEGMENTS = {
    "MSH", "SFT", "PID", "PD1", "NTE", "NK1", "PV1", "PV2", "ORC", "OBR", "OBX",
    "TQ1", "TQ2", "CTD", "FT1", "CTI", "SPM", "DSC",
}  # fmt: skip
ENVELOPE = {"FHS", "BHS", "FTS", "BTS"}
FRAMING = "\x0b\x1c\x00"


@dataclass
class ObxValue:
    set_id: str
    value_type: str
    code: str
    code_text: str
    code_system: str
    values: list[list[str]]  # repetitions of components
    unit: str
    reference_range: str
    flags: list[str]
    status: str
    observed_at: datetime | None


@dataclass
class ObrGroup:
    position: int
    placer: str
    filler: str
    service_code: str
    service_text: str
    observed_at: datetime | None
    results: list[ObxValue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class OruMessage:
    header: str  # the MSH segment
    control_id: str
    mrn: str
    patient_name: str
    orders: list[ObrGroup]

    @property
    def message(self) -> hl7.Message:
        """The header as python-hl7 reads it: what an ACK is made from."""
        return hl7.parse(self.header)


def split_messages(text: str) -> list[str]:
    """One string per message (MSH to the next MSH); batch/file envelopes dropped.

    Segments end with CR; LF and CRLF from an editor are accepted as well. Lines
    before the first MSH become a message of their own, which is then rejected.
    """
    text = text.replace("\r\n", "\r").replace("\n", "\r")
    messages: list[list[str]] = []
    current: list[str] | None = None
    for raw in text.split("\r"):
        segment = raw.strip(FRAMING).rstrip()
        if not segment.strip():
            continue
        if segment[:3] in ENVELOPE:
            continue
        if segment.startswith("MSH") or current is None:
            current = [segment]
            messages.append(current)
        else:
            current.append(segment)
    return ["\r".join(segments) + "\r" for segments in messages]


# Caps checked before a message is parsed or stored: python-hl7 makes an object of
# every field, repetition and component, so a 2 MB field of separators costs
# gigabytes. Real ORU^R01 messages stay far below these.
MAX_MESSAGE_CHARS = 1024 * 1024
MAX_SEGMENTS = 1000
MAX_FIELD_CHARS = 64 * 1024
MAX_REPETITIONS = 100
MAX_COMPONENTS = 500  # in one field, all repetitions together
MAX_SUBCOMPONENTS = 500

NUL_REFUSED = (
    "Message {n} holds a NUL character (byte 0), which HL7 text never carries: "
    "the file is damaged or not HL7. Nothing was imported."
)
TOO_LONG = (
    "Message {n} is {size:,} characters long; a message may be at most "
    "{limit:,}. Nothing was imported."
)
TOO_MANY_SEGMENTS = (
    "Message {n} has {count:,} segments; a message may have at most {limit:,}. "
    "Nothing was imported."
)
FIELD_TOO_LONG = (
    "Message {n}, segment {segment} ({id}), field {field} is {size:,} characters "
    "long; a field may be at most {limit:,}. Nothing was imported."
)
FIELD_TOO_MANY = (
    "Message {n}, segment {segment} ({id}), field {field} has {count:,} {what}; a "
    "field may have at most {limit:,}. Nothing was imported."
)


def header_fields(text: str) -> list[str]:
    """The raw fields of a message's MSH header, numbered so that ``[n]`` is
    MSH-n (MSH-1, the field separator, is ``[1]``); [] when there is no header."""
    if not text.startswith("MSH") or len(text) < 4:
        return []
    separator = text[3]
    first = text.split("\r", 1)[0]
    return ["MSH", separator, *first[4:].split(separator)]


def _field_problem(
    n: int, position: int, seg_id: str, field_number: int, field: str, seps: str
) -> str | None:
    component, repetition, _escape, subcomponent = seps
    where = {"n": n, "segment": position, "id": seg_id, "field": field_number}
    if len(field) > MAX_FIELD_CHARS:
        return FIELD_TOO_LONG.format(**where, size=len(field), limit=MAX_FIELD_CHARS)
    for count, limit, what in (
        (field.count(repetition) + 1, MAX_REPETITIONS, "repetitions"),
        (field.count(component) + 1, MAX_COMPONENTS, "components"),
        (field.count(subcomponent) + 1, MAX_SUBCOMPONENTS, "subcomponents"),
    ):
        if count > limit:
            return FIELD_TOO_MANY.format(**where, count=count, what=what, limit=limit)
    return None


def limits_problem(messages: list[str]) -> str | None:
    """The first way in which ``messages`` (from ``split_messages``) pass the caps
    above or carry a NUL, as a sentence; None when they are within them. Cheap:
    a segment whose totals are within every cap is not looked at field by field."""
    smallest = min(MAX_REPETITIONS, MAX_COMPONENTS, MAX_SUBCOMPONENTS)
    for n, text in enumerate(messages, start=1):
        if "\x00" in text:
            return NUL_REFUSED.format(n=n)
        if len(text) > MAX_MESSAGE_CHARS:
            return TOO_LONG.format(n=n, size=len(text), limit=MAX_MESSAGE_CHARS)
        segments = text.rstrip("\r").split("\r")
        if len(segments) > MAX_SEGMENTS:
            return TOO_MANY_SEGMENTS.format(
                n=n, count=len(segments), limit=MAX_SEGMENTS
            )
        header = header_fields(text)
        if len(header) < 3 or len(header[2]) < 4:
            continue  # no encoding characters: parse_oru rejects it, cheaply
        separator, seps = header[1], header[2][:4]
        for position, segment in enumerate(segments, start=1):
            if len(segment) <= smallest:
                continue
            if (
                len(segment) <= MAX_FIELD_CHARS
                and segment.count(seps[1]) < MAX_REPETITIONS
                and segment.count(seps[0]) < MAX_COMPONENTS
                and segment.count(seps[3]) < MAX_SUBCOMPONENTS
            ):
                continue
            fields = segment.split(separator)
            seg_id = fields[0][:3]
            # MSH-2 holds the separators themselves; MSH-n is fields[n - 1].
            offset = 1 if seg_id == "MSH" else 0
            for index, value in enumerate(fields[1:], start=1):
                if seg_id == "MSH" and index == 1:
                    continue
                problem = _field_problem(
                    n, position, seg_id, index + offset, value, seps
                )
                if problem:
                    return problem
    return None


def parse_timestamp(value: str, where: str) -> datetime | None:
    """HL7 DTM (YYYY[MM[DD[HH[MM[SS]]]]][+/-ZZZZ]) as an aware datetime."""
    if not value:
        return None
    try:
        parsed = hl7.parse_datetime(value)
    except ValueError:
        raise Hl7Error(
            REJECT, f"{where} has the time {value!r}, which is not an HL7 date/time."
        ) from None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _check_order_of_segments(ids: list[str]) -> None:
    seen_pid = False
    in_obr = False
    for position, seg in enumerate(ids, start=1):
        if seg.startswith("Z"):
            continue
        if seg not in KNOWN_SEGMENTS:
            raise Hl7Error(
                REJECT,
                f"Segment {position} is {seg!r}, which an ORU^R01 message cannot "
                "carry (is the message cut or garbled?).",
            )
        if seg == "MSH" and position != 1:
            raise Hl7Error(REJECT, f"Segment {position} is a second MSH.")
        if seg == "PID":
            if in_obr:
                raise Hl7Error(
                    REJECT,
                    f"Wrong segment order: PID (segment {position}) comes after an "
                    "OBR; the patient must come before the orders.",
                )
            seen_pid = True
        if seg in ("ORC", "OBR") and not seen_pid:
            raise Hl7Error(
                REJECT,
                f"Wrong segment order: {seg} (segment {position}) comes before the "
                "PID patient segment.",
            )
        if seg == "OBR":
            in_obr = True
        if seg == "ORC" and (position >= len(ids) or ids[position] != "OBR"):
            raise Hl7Error(
                REJECT,
                f"Wrong segment order: ORC (segment {position}) is not followed by "
                "its OBR.",
            )
        if seg in ("OBX", "SPM") and not in_obr:
            raise Hl7Error(
                REJECT,
                f"Wrong segment order: {seg} (segment {position}) comes before any "
                "OBR, so it belongs to no order.",
            )


def parse_oru(text: str) -> OruMessage:
    """Read one message; raise Hl7Error (AR) when it is not a well-formed ORU^R01."""
    if not text.startswith("MSH"):
        first = text.split("\r", 1)[0][:40]
        raise Hl7Error(
            REJECT,
            f"The message does not begin with an MSH header (it begins {first!r}).",
        )
    if len(text) < 9 or "\r" in text[3:8] or len(set(text[3:8])) < 5:
        raise Hl7Error(REJECT, "The MSH header is cut short: no encoding characters.")
    read = Segments(text)
    msh = read.all[0]
    if len(msh) < 13:
        raise Hl7Error(
            REJECT,
            f"The MSH header is cut short: it ends at MSH-{len(msh) - 1} and needs "
            "MSH-9 (type), MSH-10 (control id) and MSH-12 (version).",
        )
    kind = (read.get(msh, 9, 1), read.get(msh, 9, 2))
    if kind != ("ORU", "R01"):
        raise Hl7Error(
            REJECT,
            f"The message type is {'^'.join(kind)}; only ORU^R01 results are "
            "accepted here.",
        )
    control_id = read.get(msh, 10)
    if not control_id:
        raise Hl7Error(REJECT, "MSH-10 (message control id) is empty.")
    version = read.get(msh, 12)
    if not version.startswith("2."):
        raise Hl7Error(
            REJECT, f"HL7 version {version!r} is not 2.x (2.5.1 is expected)."
        )
    ids = [segment[0] for segment in read.all]
    _check_order_of_segments(ids)
    if "OBR" not in ids:
        raise Hl7Error(REJECT, "The message has no OBR: it names no order.")
    pid = next(segment for segment in read.all if segment[0] == "PID")
    mrn = read.get(pid, 3, 1)
    name = " ".join(filter(None, [read.get(pid, 5, 2), read.get(pid, 5, 1)]))
    orders: list[ObrGroup] = []
    obx_count = 0
    for position, segment in enumerate(read.all, start=1):
        seg = segment[0]
        if seg == "OBR":
            if len(segment) < 5:
                raise Hl7Error(
                    REJECT,
                    f"OBR {len(orders) + 1} (segment {position}) is cut short: it "
                    "ends before OBR-4 (the test ordered).",
                )
            orders.append(
                ObrGroup(
                    position=len(orders) + 1,
                    placer=read.get(segment, 2),
                    filler=read.get(segment, 3),
                    service_code=read.get(segment, 4, 1),
                    service_text=read.get(segment, 4, 2),
                    observed_at=parse_timestamp(
                        read.get(segment, 7), f"OBR {len(orders) + 1}"
                    ),
                )
            )
        elif seg == "OBX":
            obx_count += 1
            where = f"OBX {read.get(segment, 1) or obx_count} (segment {position})"
            if len(segment) < 12:
                raise Hl7Error(
                    REJECT,
                    f"{where} is cut short: it ends at OBX-{len(segment) - 1}, before "
                    "OBX-11 (the result status).",
                )
            orders[-1].results.append(
                ObxValue(
                    set_id=read.get(segment, 1),
                    value_type=read.get(segment, 2).upper(),
                    code=read.get(segment, 3, 1),
                    code_text=read.get(segment, 3, 2),
                    code_system=read.get(segment, 3, 3),
                    values=read.reps(segment, 5),
                    unit=read.get(segment, 6, 1),
                    reference_range=read.get(segment, 7),
                    flags=[rep[0] for rep in read.reps(segment, 8) if rep[0]],
                    status=read.get(segment, 11).upper(),
                    observed_at=parse_timestamp(read.get(segment, 14), where),
                )
            )
        elif seg == "NTE" and orders:
            orders[-1].notes.append(read.get(segment, 3))
    if obx_count == 0:
        raise Hl7Error(REJECT, "The message carries no results (no OBX segment).")
    return OruMessage(
        header=text.split("\r", 1)[0],
        control_id=control_id,
        mrn=mrn,
        patient_name=name,
        orders=orders,
    )
