"""A message's segments and fields as python-hl7's ``hl7.parse`` splits them, as
plain strings: ``parse_oru`` reads a few dozen fields of a message, and building
python-hl7's object for every field, repetition and component cost more than the
rest of an import. Values are unescaped by python-hl7's own ``hl7.util.unescape``
(\\F\\ \\S\\ \\T\\ \\R\\ \\E\\, \\X..\\ and the rest), so the escape rules stay the
library's; tests/diagnostics/test_hl7_segments.py compares every field with the
library's reading.
"""

from dataclasses import dataclass

from hl7.util import unescape

HEADERS = ("MSH", "BHS", "FHS")
# MSH-1, then MSH-2's component, repetition, escape and subcomponent characters.
DEFAULTS = [(0, "|"), (1, "^"), (2, "~"), (3, "\\"), (4, "&")]


@dataclass(frozen=True)
class Encoding:
    """What ``hl7.util.unescape`` reads of a message: its separators in
    python-hl7's order (segment, field, repetition, component, subcomponent) and
    its escape character."""

    separators: str
    esc: str


def encoding_of(text: str) -> Encoding:
    """The separators MSH-1 and MSH-2 declare, python-hl7's defaults for those
    missing (``text`` begins with a header: ``parse_oru`` checks)."""
    seps = text[3 : text.find(text[3], 4)]
    declared = [seps[n] if len(seps) > n else default for n, default in DEFAULTS]
    field, component, repetition, esc, subcomponent = declared
    return Encoding(f"\r{field}{repetition}{component}{subcomponent}", esc)


class Segments:
    """The message's segments, each a list of its fields' raw text, numbered as
    python-hl7 numbers them (``[n]`` is field n; MSH-1 and MSH-2 are ``[1]`` and
    ``[2]``); field access by HL7 position (seg-3.2), unescaped, "" when absent."""

    def __init__(self, text: str):
        text = text.strip()
        self.encoding = encoding_of(text)
        self.all = [self._fields(line) for line in text.split("\r")]

    def _fields(self, line: str) -> list[str]:
        separators = self.encoding.separators
        if line[:3] in HEADERS and any(s in line for s in separators[1:]):
            # The header's own separators are fields 1 and 2.
            separator = line[3]
            end = line.find(separator, 4)
            head, rest = [line[:3], separator, line[4:end]], line[end + 1 :]
            return head + rest.split(separators[1]) if rest else head
        return line.split(separators[1])

    def reps(self, segment: list[str], number: int) -> list[list[str]]:
        """The field's repetitions that hold something, each a list of its
        components (subcomponents left joined), unescaped."""
        if len(segment) <= number:
            return []
        _segment, _field, repetition, component, _sub = self.encoding.separators
        reps = (rep.split(component) for rep in segment[number].split(repetition))
        return [[unescape(self.encoding, c) for c in rep] for rep in reps if any(rep)]

    def get(self, segment: list[str], number: int, component: int = 1) -> str:
        """A component of the field's first repetition that holds something."""
        if len(segment) <= number:
            return ""
        _segment, _field, repetition, separator, _sub = self.encoding.separators
        for rep in segment[number].split(repetition):
            components = rep.split(separator)
            if any(components):
                if len(components) < component:
                    return ""
                return unescape(self.encoding, components[component - 1]).strip()
        return ""
