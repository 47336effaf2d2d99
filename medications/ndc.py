"""National Drug Codes as they are printed and scanned, brought to one form.

An NDC has three segments: labeler, product, package. The FDA assigns it as ten
digits in one of three shapes, printed with dashes: 4-4-2 (``0409-0805-01``), 5-3-2
and 5-4-1. Billing and most drug databases use the eleven-digit 5-4-2 form, made by
a leading zero on the short segment (``00409-0805-01``, ``00409080501``). Packages
carry the ten digits without dashes inside a UPC-A barcode (``3`` + NDC + check
digit) or a GS1 DataMatrix whose GTIN-14 holds the same twelve digits behind an
indicator digit and a zero; the DataMatrix reads as a GS1 element string: AI 01
(the GTIN), often followed by AI 17 (expiry), 10 (lot) or 21 (serial).

Ten digits without dashes cannot say which segment was short, so a code maps to a
*set* of eleven-digit forms; two codes name the same package when their sets meet.
"""

import re

# A symbology identifier some scanners put before the data (``]d2`` DataMatrix,
# ``]C1`` GS1-128, ``]Q3`` QR, ``]E0`` EAN/UPC).
_SYMBOLOGY_ID = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_GS = "\x1d"  # the FNC1 group separator between variable-length AIs
_DASHED_SHAPES = {(4, 4, 2), (5, 3, 2), (5, 4, 1), (5, 4, 2)}


def gs1_check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit: weights 3, 1, 3, ... from the rightmost digit."""
    total = sum(
        int(digit) * (3 if index % 2 == 0 else 1)
        for index, digit in enumerate(reversed(digits))
    )
    return str((10 - total % 10) % 10)


def _eleven_from_ten(ten: str) -> set[str]:
    """Every 5-4-2 form that ten undashed digits may stand for (4-4-2, 5-3-2, 5-4-1)."""
    return {
        "0" + ten,  # 4-4-2: the labeler was short
        ten[:5] + "0" + ten[5:],  # 5-3-2: the product was short
        ten[:9] + "0" + ten[9:],  # 5-4-1: the package was short
    }


def _from_gtin(digits: str) -> set[str]:
    """A UPC-A (12 digits) or GTIN-14 that carries an NDC: number system 3, the ten
    NDC digits, a valid check digit. Anything else carries no NDC."""
    if len(digits) == 14:
        if digits[1] != "0":
            return set()
        digits = digits[2:]
    if len(digits) != 12 or digits[0] != "3":
        return set()
    if gs1_check_digit(digits[:-1]) != digits[-1]:
        return set()
    return _eleven_from_ten(digits[1:11])


def _element_string_gtin(text: str) -> str | None:
    """The GTIN of AI 01 in a GS1 element string, with or without parentheses
    (``(01)00304090805016(17)271231(10)A1``, ``0100304090805016172712311 0A1``)."""
    bracketed = re.match(r"^\(01\)(\d{14})(?:\(|$)", text)
    if bracketed:
        return bracketed.group(1)
    plain = re.match(r"^01(\d{14})(?:$|" + _GS + r"|17\d{6}|10|21)", text)
    if plain and len(text) > 14:
        return plain.group(1)
    return None


def ndc_forms(code: str) -> set[str]:
    """The eleven-digit NDCs a printed or scanned code may stand for; empty when it
    is no NDC at all. Whitespace around the code and a scanner's symbology prefix
    are ignored."""
    text = _SYMBOLOGY_ID.sub("", (code or "").strip())
    if not text:
        return set()
    gtin = _element_string_gtin(text)
    if gtin is not None:
        return _from_gtin(gtin)
    if "-" in text:
        parts = text.split("-")
        shape = tuple(len(part) for part in parts)
        if shape not in _DASHED_SHAPES or not all(p.isdigit() for p in parts):
            return set()
        labeler, product, package = parts
        return {labeler.zfill(5) + product.zfill(4) + package.zfill(2)}
    if not text.isdigit():
        return set()
    if len(text) == 11:
        return {text}
    if len(text) == 10:
        return _eleven_from_ten(text)
    if len(text) in (12, 14):
        return _from_gtin(text)
    return set()


def ndc_canonical(code: str) -> str | None:
    """The one 5-4-2 form of a code that names exactly one NDC, else None (ten
    undashed digits are ambiguous)."""
    forms = ndc_forms(code)
    return next(iter(forms)) if len(forms) == 1 else None


def ndc_same(scanned: str, expected: str) -> bool:
    """Whether the scanned code names the package of the expected NDC."""
    return bool(ndc_forms(scanned) & ndc_forms(expected))


def ndc_spellings(forms: set[str]) -> set[str]:
    """Every way a formulary may have stored these eleven-digit NDCs: 5-4-2 with and
    without dashes, and the ten-digit shape each one came from, with and without
    dashes (to find the drug a scanned code names with one indexed lookup)."""
    spellings = set()
    for f in forms:
        labeler, product, package = f[:5], f[5:9], f[9:]
        spellings |= {f, f"{labeler}-{product}-{package}"}
        if labeler.startswith("0"):
            spellings |= {f[1:], f"{labeler[1:]}-{product}-{package}"}
        if product.startswith("0"):
            spellings |= {labeler + product[1:] + package}
            spellings.add(f"{labeler}-{product[1:]}-{package}")
        if package.startswith("0"):
            spellings |= {labeler + product + package[1:]}
            spellings.add(f"{labeler}-{product}-{package[1:]}")
    return spellings
