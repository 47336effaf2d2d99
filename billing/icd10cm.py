"""ICD-10-CM: the official code table with its words, searchable by code or words.

The table is the CMS/CDC ICD-10-CM release for fiscal year 2026, April 1, 2026
update, bundled as ``billing/data/icd10cm-2026-april.tsv.gz``: one line per
category and subcategory, ``code<TAB>billable<TAB>description`` (billable 1: a
leaf code a claim may carry; 0: a heading with more specific codes under it). It
was written from the tabular list shipped by the PyPI package simple-icd-10-cm
1.5.0 (``manage.py icd10cm_table`` rewrites it from a newer release). Loading
that package costs about 180 MB per process; this file with its search index
about 50 MB and 0.6 s, once per process, on the first diagnosis looked up.
"""

import gzip
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

TABLE_FILE = Path(__file__).parent / "data" / "icd10cm-2026-april.tsv.gz"
TABLE_RELEASE = "ICD-10-CM FY2026 (April 1, 2026)"
SEARCH_LIMIT = 12
WORD_RE = re.compile(r"[a-z0-9]+")
CODE_START_RE = re.compile(r"^[A-Za-z][0-9][0-9A-Za-z]?\.?[0-9A-Za-z]*$")

NOT_IN_TABLE = (
    "{code} is not in the {release} code table: search the code or "
    "its words and pick one from the list."
)
NOT_BILLABLE = (
    "{code} ({words}) is a heading, not a billable code: pick one of its more "
    "specific codes, such as {example}."
)


@dataclass(frozen=True)
class Icd10Code:
    code: str
    billable: bool
    description: str

    def __str__(self) -> str:
        return f"{self.code} — {self.description}"


@cache
def _table() -> dict[str, Icd10Code]:
    table = {}
    with gzip.open(TABLE_FILE, "rt", encoding="utf-8") as lines:
        for line in lines:
            code, billable, description = line.rstrip("\n").split("\t", 2)
            table[code] = Icd10Code(code, billable == "1", description)
    return table


@cache
def _billable_codes() -> list[str]:
    return sorted(entry.code for entry in _table().values() if entry.billable)


@cache
def _words_index() -> list[tuple[str, Icd10Code]]:
    """(" words of the description", entry) of the billable codes, the least
    specific first (shorter code, then shorter words), so "type 2 diabetes" leads
    with E11.9 rather than its detailed siblings."""
    entries = sorted(
        (e for e in _table().values() if e.billable),
        key=lambda e: (len(e.code), len(e.description)),
    )
    return [(_words_key(e.description), e) for e in entries]


def _words_key(text: str) -> str:
    return " " + " ".join(WORD_RE.findall(text.lower()))


def icd10cm_normalise(code: str) -> str:
    """ "e119 " → "E11.9": upper case, the dot after the third character."""
    code = "".join((code or "").split()).upper().replace(".", "")
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def icd10cm_lookup(code: str) -> Icd10Code | None:
    return _table().get(icd10cm_normalise(code))


def icd10cm_words(code: str) -> str:
    """The table's description of a code; "" for a code not in the table."""
    entry = icd10cm_lookup(code)
    return entry.description if entry else ""


def icd10cm_is_billable(code: str) -> bool:
    entry = icd10cm_lookup(code)
    return entry is not None and entry.billable


def icd10cm_search(query: str, *, limit: int = SEARCH_LIMIT) -> list[Icd10Code]:
    """Billable codes starting with ``query`` when it reads as a code ("E11.9",
    "e119"), else those whose words start with every word of it ("type 2 diab"),
    least specific first."""
    text = " ".join((query or "").split())
    if len(text) < 2:
        return []
    if CODE_START_RE.match(text):
        prefix = icd10cm_normalise(text)
        codes = _billable_codes()
        start = bisect_left(codes, prefix)
        found = []
        for code in codes[start : start + limit]:
            if not code.startswith(prefix):
                break
            found.append(_table()[code])
        if found:
            return found
    words = [" " + word for word in WORD_RE.findall(text.lower())]
    found = []
    for key, entry in _words_index():
        if all(word in key for word in words):
            found.append(entry)
            if len(found) >= limit:
                break
    return found


def _first_billable_under(code: str) -> str:
    for entry in _table().values():
        if entry.billable and entry.code.startswith(code):
            return entry.code
    return ""


def icd10cm_problem(code: str) -> str:
    """Why ``code`` cannot be reported as a diagnosis; "" when it can."""
    entry = icd10cm_lookup(code)
    if entry is None:
        typed = " ".join((code or "").split())
        shown = icd10cm_normalise(typed) if CODE_START_RE.match(typed) else typed
        return _(NOT_IN_TABLE).format(code=f"“{shown}”", release=TABLE_RELEASE)
    if not entry.billable:
        return _(NOT_BILLABLE).format(
            code=entry.code,
            words=entry.description,
            example=_first_billable_under(entry.code),
        )
    return ""


def validate_icd10cm_billable(value: str) -> None:
    """A diagnosis a claim may carry: a billable (leaf) code of the table."""
    problem = icd10cm_problem(value)
    if problem:
        raise ValidationError(problem, code="icd10cm")
