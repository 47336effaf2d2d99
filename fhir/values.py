"""Reading FHIR search values strictly: dates with prefixes, tokens, references.

A value that does not parse raises ``FhirError`` 400 naming the parameter; what
parses becomes Python values for ORM lookups, never SQL text.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import timezone as dt_timezone

from clinic.clock import clinic_zone
from fhir.errors import invalid

DATE_PREFIXES = ("eq", "ne", "lt", "gt", "le", "ge", "sa", "eb")
DATE_RE = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d{1,9})?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
MAX_VALUE_LENGTH = 200


@dataclass(frozen=True)
class DateRange:
    """A FHIR date value as the half-open range [start, end) it stands for."""

    prefix: str
    start: datetime
    end: datetime
    day_precision: bool  # a date without a time: compare DateFields by day

    def bounds_for(self, is_date_field: bool):
        if is_date_field:
            zone = clinic_zone()
            end = self.end.astimezone(zone)
            # The days the range touches: round a time-of-day end up to a day.
            last = end.date()
            if end.time() != datetime.min.time():
                last += timedelta(days=1)
            return self.start.astimezone(zone).date(), last
        return self.start, self.end


def split_values(raw: str, name: str) -> list[str]:
    """``a,b`` -> ["a", "b"] (FHIR's OR); ``\\,`` keeps a comma in a value."""
    if len(raw) > MAX_VALUE_LENGTH * 5:
        raise invalid(f"The value of {name} is too long.", expression=name)
    parts, current, escaped = [], [], False
    for ch in raw:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    for part in parts:
        if not part.strip():
            raise invalid(f"{name} has an empty value.", expression=name)
        if len(part) > MAX_VALUE_LENGTH or "\x00" in part:
            raise invalid(
                f"{name} has a value that cannot be searched.", expression=name
            )
    return parts


def parse_date(raw: str, name: str) -> DateRange:
    prefix = raw[:2] if raw[:2] in DATE_PREFIXES else "eq"
    text = raw[2:] if raw[:2] in DATE_PREFIXES else raw
    match = DATE_RE.match(text)
    if not match:
        raise invalid(
            f"{name}: {raw!r} is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or "
            "YYYY-MM-DDThh:mm[:ss][Z|+hh:mm], with an optional prefix such as ge).",
            expression=name,
        )
    parts = {k: int(v) for k, v in match.groupdict().items() if v and k != "zone"}
    zone = match["zone"]
    try:
        if "hour" in parts:
            tz = UTC if zone == "Z" else clinic_zone()
            if zone and zone != "Z":
                sign = 1 if zone[0] == "+" else -1
                hours, minutes = int(zone[1:3]), int(zone[4:6])
                tz = dt_timezone(sign * timedelta(hours=hours, minutes=minutes))
            start = datetime(
                parts["year"],
                parts["month"],
                parts["day"],
                parts["hour"],
                parts["minute"],
                parts.get("second", 0),
                tzinfo=tz,
            )
            step = timedelta(seconds=1) if "second" in parts else timedelta(minutes=1)
            return DateRange(prefix, start.astimezone(UTC), start + step, False)
        first = date(parts["year"], parts.get("month", 1), parts.get("day", 1))
    except ValueError as error:
        raise invalid(
            f"{name}: {raw!r} is not a real date.", expression=name
        ) from error
    if "day" in parts:
        after = first + timedelta(days=1)
    elif "month" in parts:
        after = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    else:
        after = first.replace(year=first.year + 1) if first.year < 9999 else None
        if after is None:
            raise invalid(f"{name}: {raw!r} is out of range.", expression=name)
    zone = clinic_zone()
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(after, datetime.min.time(), tzinfo=zone)
    return DateRange(prefix, start.astimezone(UTC), end.astimezone(UTC), True)


def parse_token(raw: str) -> tuple[str | None, str]:
    """``system|code`` -> (system, code); ``|code`` -> ("", code); ``code`` ->
    (None, code): any system."""
    if "|" in raw:
        system, _, code = raw.partition("|")
        return system, code
    return None, raw


def parse_reference(raw: str, target: str, name: str) -> str:
    """``Patient/12``, ``12`` or an absolute URL ending so -> "12"."""
    parts = raw.rstrip("/").split("/")
    if len(parts) >= 2:
        kind, ident = parts[-2], parts[-1]
        if kind != target:
            raise invalid(f"{name} refers to {target}, not {kind}.", expression=name)
    else:
        ident = parts[-1]
    if not FHIR_ID.match(ident):
        raise invalid(f"{name}: {raw!r} is not a FHIR id.", expression=name)
    return ident


def pk_of(ident: str, prefix: str = "") -> int | None:
    """Our ids are the primary keys as text, after a table's ``prefix``
    (``ResourceType.id_prefix``); anything else names no record."""
    if not ident.startswith(prefix):
        return None
    ident = ident[len(prefix) :]
    if ident.isascii() and ident.isdigit() and len(ident) <= 18:
        return int(ident)
    return None
