"""The one path for text into a PDF (reportlab), for every PDF the app makes.

reportlab's ``Paragraph`` reads its text as markup: ``<img src=…>`` fetches a URL or
reads a local file while the PDF is built, ``<a href=…>`` plants a link, and a
malformed tag raises (a 500). So text that a person typed (a patient's name, a
drug's name, a note, a staff member's name) never reaches a ``Paragraph`` except
through ``pdf_text`` (escaped), ``pdf_markup`` (a template of ours with escaped
values) or ``pdf_paragraph``. ``canvas.drawString`` and plain-string table cells
draw text literally and need no escaping.

Importing this module also closes reportlab's own door: no host and no URL scheme
is trusted for fetching, whatever the ``RL_trustedHosts`` environment says, so even
markup that slipped past the helpers could not make the server fetch anything.
"""

from typing import Any

from reportlab import rl_config
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

rl_config.trustedHosts = None
rl_config.trustedSchemes = []

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def pdf_text(value: Any) -> str:
    """``value`` as Paragraph markup that shows it literally (line breaks kept)."""
    if value is None:
        return ""
    text = str(value).replace("\x00", "")
    return text.translate(_ESCAPES).replace("\r\n", "\n").replace("\n", "<br/>")


def pdf_markup(template: str, /, **values: Any) -> str:
    """``template`` (markup written in our code) with every value escaped:
    ``pdf_markup("<b>{name}</b>", name=patient_name)``."""
    return template.format(**{key: pdf_text(value) for key, value in values.items()})


def pdf_paragraph(value: Any, style) -> Paragraph:
    """A Paragraph that shows ``value`` literally."""
    return Paragraph(pdf_text(value), style)


def pdf_fit(text: str, *, font: str, size: float, width: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` points in ``font`` at
    ``size``, for a line drawn on a label that cannot wrap (a wristband)."""
    text = str(text).replace("\x00", "").replace("\n", " ")
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def pdf_wrap(
    text: str, *, font: str, size: float, width: float, max_lines: int = 3
) -> str:
    """``text`` broken into lines of at most ``width`` points (a word longer than
    the width is broken inside), at most ``max_lines`` of them (the last cut with
    an ellipsis), joined with newlines: a plain-string table cell that stays
    inside its column, at a fraction of a Paragraph's layout cost."""
    text = str(text or "").replace("\x00", "").replace("\r\n", "\n")
    lines: list[str] = []
    for part in text.split("\n"):
        line = ""
        for word in part.split(" "):
            candidate = f"{line} {word}" if line else word
            if stringWidth(candidate, font, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while stringWidth(word, font, size) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and stringWidth(word[:cut], font, size) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    if len(lines) > max_lines:
        last = " ".join(lines[max_lines - 1 :])
        lines = [
            *lines[: max_lines - 1],
            pdf_fit(last, font=font, size=size, width=width),
        ]
    return "\n".join(lines)
