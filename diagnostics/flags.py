"""Abnormal and critical flags: the lab's when sent, else computed from the range
for the patient's sex at birth and age."""

from dataclasses import dataclass
from decimal import Decimal

from diagnostics.models import Observation, ReferenceRange, TestDefinition

Flag = Observation.Flag

# Flags a lab may send in OBX-8 that we keep as they are (HL7 table 0078).
LAB_FLAGS = {
    "N": Flag.NORMAL,
    "L": Flag.LOW,
    "H": Flag.HIGH,
    "LL": Flag.CRITICAL_LOW,
    "HH": Flag.CRITICAL_HIGH,
    "A": Flag.ABNORMAL,
    "AA": Flag.ABNORMAL,
    "<": Flag.LOW,
    ">": Flag.HIGH,
}


@dataclass(frozen=True)
class Assessment:
    flag: str
    range_text: str


def reference_range_for(
    *, test: TestDefinition, sex: str | None, age_years: int, ranges=None
) -> ReferenceRange | None:
    """The range for this sex and age: a sex-specific one when the sex is known,
    else the sex-neutral one for the age band."""
    candidates = [
        r
        for r in (ranges if ranges is not None else test.ranges.all())
        if r.age_min_years <= age_years
        and (r.age_max_years is None or age_years < r.age_max_years)
    ]
    if sex:
        for candidate in candidates:
            if candidate.sex == sex:
                return candidate
    for candidate in candidates:
        if candidate.sex == "":
            return candidate
    return None


def flag_numeric(
    *, test: TestDefinition, value: Decimal, sex: str | None, age_years: int
) -> Assessment:
    """LL/HH beyond the critical limits, L/H outside the range, else N."""
    found = reference_range_for(test=test, sex=sex, age_years=age_years)
    range_text = found.text if found else ""
    if test.critical_low is not None and value < test.critical_low:
        return Assessment(Flag.CRITICAL_LOW, range_text)
    if test.critical_high is not None and value > test.critical_high:
        return Assessment(Flag.CRITICAL_HIGH, range_text)
    if found is not None:
        if found.low is not None and value < found.low:
            return Assessment(Flag.LOW, range_text)
        if found.high is not None and value > found.high:
            return Assessment(Flag.HIGH, range_text)
    return Assessment(Flag.NORMAL, range_text)


def flag_coded(*, test: TestDefinition, value: str) -> Assessment:
    """A coded answer outside the test's normal answers is abnormal (A)."""
    normal = test.normal_value_list()
    if not normal or not value:
        return Assessment(Flag.NORMAL, "")
    label = " or ".join(v.capitalize() for v in normal)
    if value.strip().lower() in normal:
        return Assessment(Flag.NORMAL, label)
    return Assessment(Flag.ABNORMAL, label)


def lab_flag(raw: str) -> str | None:
    """The flag the lab sent (OBX-8), or None when it sent none we know."""
    return LAB_FLAGS.get(raw.strip().upper()) if raw and raw.strip() else None
