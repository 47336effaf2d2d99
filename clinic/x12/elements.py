"""X12 delimiters, the rule for text inside an element, and element formats."""

import re
from datetime import date
from decimal import Decimal

ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
SEGMENT = "~"
# The characters the clinic's writers use as delimiters: none may appear in data.
DELIMITERS = SEGMENT + ELEMENT + COMPONENT + REPETITION
_UNCARRIABLE = re.compile(f"[{re.escape(DELIMITERS)}\\r\\n]")


def clean(value) -> str:
    """Text safe inside an element. X12 has no escape character, so a delimiter or
    line break cannot be carried: each becomes a space, runs of spaces become one,
    and the ends are trimmed ("Acme*Health " -> "Acme Health")."""
    return " ".join(_UNCARRIABLE.sub(" ", str(value or "")).split())


def delimiters_in(value) -> list[str]:
    """The delimiters ``value`` holds, in ``DELIMITERS`` order: what a check refuses
    before a writer would have to ``clean`` them away."""
    text = str(value or "")
    return [char for char in DELIMITERS if char in text]


def amount(value: Decimal) -> str:
    """X12 R: no trailing zeros after the point, no point when whole."""
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def quantity(value: Decimal) -> str:
    return amount(value)


def d8(day: date) -> str:
    """A date in the D8 format (CCYYMMDD)."""
    return day.strftime("%Y%m%d")


def sex_code(value: str) -> str:
    """DMG03: F or M, U (unknown) for anything else."""
    return value if value in ("F", "M") else "U"


def segment(*elements) -> str:
    """One segment; trailing empty elements are left out, as X12 requires."""
    # Elements never hold the element separator (clean() removes it), so trailing
    # empty elements are exactly the trailing separators.
    text = ELEMENT.join(
        e if e.__class__ is str else ("" if e is None else str(e)) for e in elements
    )
    return text.rstrip(ELEMENT) + SEGMENT


def composite(*components) -> str:
    """A composite element; trailing empty components are left out."""
    parts = [str(c) for c in components]
    while parts and parts[-1] == "":
        parts.pop()
    return COMPONENT.join(parts)
