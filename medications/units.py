"""Dose units: which ones measure the same thing, and how to convert between them."""

from decimal import Decimal

# unit -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, Decimal]] = {
    "mcg": ("mass", Decimal("0.001")),
    "mg": ("mass", Decimal("1")),
    "g": ("mass", Decimal("1000")),
    "mL": ("volume", Decimal("1")),
    "L": ("volume", Decimal("1000")),
    "units": ("units", Decimal("1")),
    "mmol": ("amount", Decimal("1")),
    "tablet": ("tablet", Decimal("1")),
    "capsule": ("capsule", Decimal("1")),
    "puff": ("puff", Decimal("1")),
    "application": ("application", Decimal("1")),
}

# What a pick list shows: the abbreviation a label prints, with its name where the
# abbreviation alone is easy to misread (mcg for mg).
UNIT_NAMES = {
    "mcg": "mcg (microgram)",
    "mg": "mg (milligram)",
    "g": "g (gram)",
    "mL": "mL (millilitre)",
    "L": "L (litre)",
    "mmol": "mmol (millimole)",
}

UNIT_CHOICES = [(unit, UNIT_NAMES.get(unit, unit)) for unit in UNITS]


def units_fit(a: str, b: str) -> bool:
    """Two units measure the same thing (mg and g do; mg and mL do not)."""
    return a in UNITS and b in UNITS and UNITS[a][0] == UNITS[b][0]


def convert(amount: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """``amount`` of ``from_unit`` expressed in ``to_unit`` (units must fit)."""
    if not units_fit(from_unit, to_unit):
        raise ValueError(f"{from_unit} does not convert to {to_unit}")
    return amount * UNITS[from_unit][1] / UNITS[to_unit][1]
