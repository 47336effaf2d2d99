"""One format each for dates, times, quantities, money and staff names, on every
page.

``{% load formats %}``: ``{{ visit.start|moment }}`` ("2026-12-07 09:30", in the
clinic's time zone), ``{{ patient.birth_date|day }}`` ("1980-03-07"),
``{{ dose.due_at|clock }}`` ("09:30"), ``{{ line.units|qty }}`` ("6.5000" → "6.5"),
``{{ claim.total_charge|money }}`` ("1234.5" → "1,234.50"),
``{{ user|staff_name }}`` (full name, else the username). Headings may spell a day
out ("Saturday 5 December 2026"); data in lists and forms use these.
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.template.defaultfilters import date as _date
from django.template.defaultfilters import time as _time

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def qty(value) -> str:
    """A quantity without trailing zeros: 6.5000 → 6.5, 2.00 → 2."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


@register.filter
def money(value) -> str:
    """Two decimals with thousands separators: 1234.5 → 1,234.50."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return f"{number.quantize(Decimal('0.01')):,}"


@register.filter
def staff_name(user) -> str:
    """A member of staff as pages name them: full name, else the username."""
    if user is None:
        return ""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or getattr(user, "username", str(user))


@register.filter(expects_localtime=True)
def day(value) -> str:
    """A date: 2026-12-07 (ISO: no day/month confusion)."""
    return _date(value, "Y-m-d") if value else ""


@register.filter(expects_localtime=True)
def moment(value) -> str:
    """A date and time on the clinic's clock: 2026-12-07 09:30."""
    return _date(value, "Y-m-d H:i") if value else ""


@register.filter(expects_localtime=True)
def clock(value) -> str:
    """A time of day on the clinic's clock: 09:30."""
    return _time(value, "H:i") if value else ""
