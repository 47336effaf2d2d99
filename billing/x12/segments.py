"""X12 delimiters, element formatting and a tolerant segment splitter."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
SEGMENT = "~"
DELIMITERS = "~*:^"
_STRIP = str.maketrans("", "", DELIMITERS + "\r\n")


class X12Error(ValueError):
    """A file that is not readable X12; the message says where and why."""


def clean(value) -> str:
    """Text safe inside an element: delimiters and line breaks removed, trimmed."""
    return " ".join(str(value or "").translate(_STRIP).split())


def amount(value: Decimal) -> str:
    """X12 R: no trailing zeros after the point, no point when whole."""
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def quantity(value: Decimal) -> str:
    return amount(value)


def d8(day: date) -> str:
    return day.strftime("%Y%m%d")


def segment(*elements) -> str:
    """One segment; trailing empty elements are left out, as X12 requires."""
    # Elements never hold the element separator (clean() removes it), so trailing
    # empty elements are exactly the trailing separators.
    text = ELEMENT.join(
        e if e.__class__ is str else ("" if e is None else str(e)) for e in elements
    )
    return text.rstrip(ELEMENT) + SEGMENT


def composite(*components) -> str:
    parts = [str(c) for c in components]
    while parts and parts[-1] == "":
        parts.pop()
    return COMPONENT.join(parts)


def isa(
    *,
    sender_id: str,
    receiver_id: str,
    control_number: int,
    usage: str,
    when: datetime,
    ack_requested: bool = True,
) -> str:
    return segment(
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        clean(sender_id)[:15].ljust(15),
        "ZZ",
        clean(receiver_id)[:15].ljust(15),
        when.strftime("%y%m%d"),
        when.strftime("%H%M"),
        REPETITION,
        "00501",
        f"{control_number:09d}",
        "1" if ack_requested else "0",
        usage,
        COMPONENT,
    )


@dataclass(slots=True, eq=False)
class Segment:
    id: str
    elements: list[str]
    position: int  # 1-based segment number in the file
    component_separator: str = COMPONENT

    def get(self, index: int, default: str = "") -> str:
        """Element by its X12 number (CLP01 is ``get(1)``)."""
        return self.elements[index] if index < len(self.elements) else default

    def components(self, index: int) -> list[str]:
        return self.get(index).split(self.component_separator)


def split_segments(text: str) -> list[Segment]:
    """Split an interchange into segments, honouring the delimiters its ISA names."""
    text = text.lstrip("\ufeff").lstrip()
    if not text.startswith("ISA") or len(text) < 106:
        raise X12Error("The file does not start with an ISA segment: it is not X12.")
    element_sep = text[3]
    component_sep = text[104]
    segment_sep = text[105]
    body = (
        text.replace("\r", "").replace("\n", "") if segment_sep not in "\r\n" else text
    )
    segments = []
    for number, raw in enumerate(body.split(segment_sep), start=1):
        raw = raw.strip()
        if raw:
            parts = raw.split(element_sep)
            segments.append(Segment(parts[0], parts, number, component_sep))
    if not segments or segments[-1].id != "IEA":
        raise X12Error("The file ends without an IEA segment: it was cut short.")
    return segments
