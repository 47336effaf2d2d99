"""Result units as a reader expects them: the lab's UCUM code ("10*3/uL") shown
as printed on a lab report ("10³/µL")."""

import re

from clinic.pdf import pdf_text

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_POWER = re.compile(r"10\*(\d+)")
# UCUM writes the micro prefix as "u": uL, ug, umol, uIU (not U/L, the unit).
_MICRO = re.compile(r"(?<![A-Za-z])u(?=[A-Za-z])")


def unit_label(code: str) -> str:
    """``code`` (UCUM) with powers of ten as superscripts and µ for micro."""
    if not code:
        return ""
    text = _POWER.sub(lambda m: "10" + m.group(1).translate(_SUPERSCRIPT), code)
    return _MICRO.sub("µ", text)


def unit_pdf_markup(code: str) -> str:
    """``code`` as reportlab Paragraph markup: the standard PDF fonts lack ⁶ and
    ⁹, so the power is set as superscript (the code itself escaped first)."""
    text = _POWER.sub(r"10<super>\1</super>", pdf_text(code))
    return _MICRO.sub("µ", text)
