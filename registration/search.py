"""Reading what the clerk typed into the patient search box.

One box takes name fragments in either order ("smi jo"), an MRN, a date of birth in
the usual formats, and a phone number in any format. ``parse_query`` splits the text
into those parts; ``registration.selectors.patient_search`` turns them into one query.
"""

import re
from dataclasses import dataclass, field
from datetime import date

import phonenumbers
from django.conf import settings
from django.db.models import Value
from django.db.models.functions import Concat, Lower

from registration.mrn import MRN_RE

# The expression the name search filters on; migration 0004 indexes exactly this
# (pg_trgm GIN), so keep the two identical.
SEARCH_TEXT = Lower(
    Concat(
        Value(" "),
        "family_name",
        Value(" "),
        "given_name",
        Value(" "),
        "preferred_name",
    )
)

ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
SLASH_DATE = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})$")
DOT_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
PHONE_CHARS = re.compile(r"^\+?[\d\s().-]{7,}$")
NAME_TOKEN = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)

MIN_FRAGMENT = 2


@dataclass
class ParsedQuery:
    text: str
    mrn: str = ""
    birth_date: date | None = None
    phone: str = ""  # E.164
    names: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.mrn or self.birth_date or self.phone or self.names)


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # Two-digit years are birth years: never in the future.
        this_year = date.today().year % 100
        year += 2000 if year <= this_year else 1900
    return year


def parse_date(text: str, *, order: str | None = None) -> date | None:
    """A date typed as 1980-03-07, 03/07/1980 (per CLINIC_DATE_ORDER) or 7.3.1980."""
    order = order or settings.CLINIC_DATE_ORDER
    text = text.strip()
    try:
        if match := ISO_DATE.match(text):
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
        if match := SLASH_DATE.match(text):
            first, second, year = match.groups()
            if order.upper() == "DMY":
                day, month = int(first), int(second)
            else:
                month, day = int(first), int(second)
            return date(_year(year), month, day)
        if match := DOT_DATE.match(text):
            day, month, year = match.groups()
            return date(_year(year), int(month), int(day))
    except ValueError:
        return None
    return None


def parse_phone(text: str, *, region: str | None = None) -> str:
    """The E.164 form of a phone number typed any way, or ''."""
    if not PHONE_CHARS.match(text.strip()):
        return ""
    try:
        number = phonenumbers.parse(text, region or settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_query(text: str) -> ParsedQuery:
    text = (text or "").strip()[:200]
    parsed = ParsedQuery(text=text)
    if not text:
        return parsed
    compact = text.replace(" ", "")
    if MRN_RE.match(compact):
        parsed.mrn = compact
        return parsed
    phone = parse_phone(text)
    if phone and not parse_date(text):
        parsed.phone = phone
        return parsed
    for word in text.split():
        found = parse_date(word)
        if found is not None and parsed.birth_date is None:
            parsed.birth_date = found
            continue
        for token in NAME_TOKEN.findall(word.lower()):
            if len(token) >= MIN_FRAGMENT:
                parsed.names.append(token)
    return parsed
