"""Code shapes billing checks: ICD-10-CM, CPT/HCPCS, modifiers, pointers, tax ID.

ICD-10-CM uses the same shape as diagnostics' order reasons; NPI check digits come
from scheduling.validators.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from diagnostics.models import ICD10CM_SHAPE

ICD10CM_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
# CPT: five digits, or four digits and F/T (category II/III); HCPCS level II: a
# letter and four digits.
CPT_HCPCS_RE = re.compile(r"^(\d{5}|\d{4}[FTU]|[A-V]\d{4})$")
MODIFIER_RE = re.compile(r"^[A-Z0-9]{2}$")
# A claim (837P HI segment, CMS-1500 box 21) carries at most twelve diagnoses.
MAX_DIAGNOSES = 12

CPT_INVALID = _(
    "A CPT/HCPCS code is five digits (99213), four digits and F or T (0503F), "
    "or a letter and four digits (J1100)."
)
MODIFIERS_INVALID = _(
    "Modifiers are up to four two-character codes separated by spaces (25 59)."
)
POINTERS_INVALID = _(
    "Diagnosis pointers are one to four numbers from 1 to 12, separated by spaces."
)
TAX_ID_INVALID = _("A tax ID (EIN) is nine digits, without the dash.")

validate_icd10cm = ICD10CM_SHAPE
validate_tax_id = RegexValidator(r"^\d{9}$", TAX_ID_INVALID)
validate_place_of_service = RegexValidator(
    r"^\d{2}$", _("A place of service is a two-digit CMS code (11: office).")
)


def icd10_is_valid(code: str) -> bool:
    return bool(ICD10CM_RE.match(code or ""))


def cpt_is_valid(code: str) -> bool:
    return bool(CPT_HCPCS_RE.match(code or ""))


def validate_cpt_hcpcs(value: str) -> None:
    if not cpt_is_valid(value):
        raise ValidationError(CPT_INVALID, code="cpt_shape")


def validate_modifiers(value: str) -> None:
    parts = value.split()
    if len(parts) > 4 or not all(MODIFIER_RE.match(part) for part in parts):
        raise ValidationError(MODIFIERS_INVALID, code="modifiers")


def pointers_are_valid(value: str, diagnosis_count: int = MAX_DIAGNOSES) -> bool:
    parts = value.split()
    if not 1 <= len(parts) <= 4 or len(set(parts)) != len(parts):
        return False
    return all(p.isdigit() and 1 <= int(p) <= diagnosis_count for p in parts)


def validate_pointers(value: str) -> None:
    if not pointers_are_valid(value):
        raise ValidationError(POINTERS_INVALID, code="pointers")
