"""The X12 tokenizer: an interchange split into segments and elements, honouring
the delimiters its ISA declares (a partner may use ``|`` and newlines, not ours)."""

from dataclasses import dataclass

from clinic.x12.elements import COMPONENT

ISA_LENGTH = 106  # the ISA is fixed width; its last three characters are delimiters


class X12Error(ValueError):
    """A file that is not readable X12; the message says where and why."""


@dataclass(slots=True, eq=False)
class Segment:
    id: str
    elements: list[str]
    position: int  # 1-based segment number in the file
    component_separator: str = COMPONENT

    def get(self, index: int, default: str = "") -> str:
        """Element by its X12 number (CLP01 is ``get(1)``), without the padding
        some senders leave around it."""
        return self.elements[index].strip() if index < len(self.elements) else default

    def components(self, index: int) -> list[str]:
        return self.get(index).split(self.component_separator)


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    segment: str


def delimiters_of(text: str) -> Delimiters | None:
    """The delimiters the ISA at the head of ``text`` declares; None when ``text``
    does not start with an ISA."""
    text = text.lstrip("\ufeff").lstrip()
    if not text.startswith("ISA") or len(text) < ISA_LENGTH:
        return None
    return Delimiters(element=text[3], component=text[104], segment=text[105])


def _tokens(text: str, found: Delimiters) -> list[Segment]:
    text = text.lstrip("\ufeff").lstrip()
    if found.segment not in "\r\n":
        # Line breaks between segments are for people reading the file.
        text = text.replace("\r", "").replace("\n", "")
    segments = []
    for number, raw in enumerate(text.split(found.segment), start=1):
        raw = raw.strip()
        if raw:
            parts = raw.split(found.element)
            segments.append(Segment(parts[0], parts, number, found.component))
    return segments


def split_segments(text: str) -> list[Segment]:
    """Split a whole interchange into segments; one cut short (no IEA at the end)
    is refused, since what is missing could change its meaning."""
    found = delimiters_of(text)
    if found is None:
        raise X12Error("The file does not start with an ISA segment: it is not X12.")
    segments = _tokens(text, found)
    if not segments or segments[-1].id != "IEA":
        raise X12Error("The file ends without an IEA segment: it was cut short.")
    return segments


def head_segments(text: str, *, chars: int = 8192) -> list[Segment]:
    """The complete segments among the first ``chars`` characters, cheaply, whatever
    the file's size (the last, perhaps cut, piece is left out); [] when not X12."""
    head = text.lstrip("\ufeff").lstrip()[:chars]
    found = delimiters_of(head)
    if found is None:
        return []
    if found.segment not in "\r\n":
        head = head.replace("\r", "").replace("\n", "")
    head = head[: head.rfind(found.segment) + 1]
    return _tokens(head, found)
