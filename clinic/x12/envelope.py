"""The envelopes around X12 transaction sets: ISA/IEA, GS/GE and ST/SE.

Every interchange the clinic writes (or simulates a partner writing) holds one
functional group: ISA, GS, one or more transaction sets, GE counting the sets, IEA
counting the one group. Each ST/SE pair counts its own segments, ST and SE
included. Control numbers are the caller's (the 837's come from the submission
sequence, the 270's from the clock); this module only formats them: ISA13 and
IEA02 as nine digits, GS06/GE02 as the number, ST02/SE02 as at least four digits.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from clinic.x12.elements import COMPONENT, REPETITION, clean, d8, segment

ISA_VERSION = "00501"


@dataclass(frozen=True)
class Exchange:
    """Who sends which functional group to whom, and when (the ISA and GS)."""

    sender_id: str
    receiver_id: str
    functional_code: str  # GS01: HC 837, HS 270, HB 271, HP 835, FA 999, HN 277
    version: str  # GS08: the implementation guide, e.g. 005010X222A1
    isa_control: int
    gs_control: int
    when: datetime
    usage: str = "P"  # ISA15: P production, T test
    ack_requested: bool = False  # ISA14: ask the receiver for a TA1


def isa(exchange: Exchange) -> str:
    """The fixed-width ISA (106 characters with its terminator): the reader finds
    the delimiters at positions 3, 104 and 105."""
    when = exchange.when
    return segment(
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        clean(exchange.sender_id)[:15].ljust(15),
        "ZZ",
        clean(exchange.receiver_id)[:15].ljust(15),
        when.strftime("%y%m%d"),
        when.strftime("%H%M"),
        REPETITION,
        ISA_VERSION,
        f"{exchange.isa_control:09d}",
        "1" if exchange.ack_requested else "0",
        exchange.usage,
        COMPONENT,
    )


def gs(exchange: Exchange) -> str:
    return segment(
        "GS",
        exchange.functional_code,
        clean(exchange.sender_id),
        clean(exchange.receiver_id),
        d8(exchange.when),
        exchange.when.strftime("%H%M"),
        exchange.gs_control,
        "X",
        exchange.version,
    )


def transaction_set(
    *, kind: str, control: int, version: str, body: Sequence[str]
) -> list[str]:
    """ST, ``body``, and the SE that counts them all (ST and SE included)."""
    number = f"{control:04d}"
    return [
        segment("ST", kind, number, version),
        *body,
        segment("SE", len(body) + 2, number),
    ]


def interchange(exchange: Exchange, sets: Sequence[Sequence[str]]) -> str:
    """The whole interchange as text, one segment per line."""
    segments = [
        isa(exchange),
        gs(exchange),
        *chain.from_iterable(sets),
        segment("GE", len(sets), exchange.gs_control),
        segment("IEA", "1", f"{exchange.isa_control:09d}"),
    ]
    return "\n".join(segments) + "\n"
