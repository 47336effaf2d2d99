"""One format each for quantities, money and staff names, on every page.

``{% load formats %}``: ``{{ line.units|qty }}`` ("6.5000" → "6.5"),
``{{ claim.total_charge|money }}`` ("1234.5" → "1,234.50"),
``{{ user|staff_name }}`` (full name, else the username).
"""

from decimal import Decimal, InvalidOperation

from django import template

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
