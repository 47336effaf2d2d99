"""Field validators of the scheduling app."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clinic.checkdigits import luhn_digit

NPI_INVALID = _("Enter a valid 10-digit NPI (its check digit does not match).")


def npi_is_valid(value: str) -> bool:
    """The NPI check digit: Luhn over the 9 digits prefixed with 80840."""
    if not (isinstance(value, str) and len(value) == 10 and value.isdigit()):
        return False
    return luhn_digit("80840" + value[:9]) == value[9]


def npi_with_check_digit(first_nine: str) -> str:
    """Complete nine digits into a valid NPI (for demo data and tests)."""
    for last in "0123456789":
        if npi_is_valid(first_nine + last):
            return first_nine + last
    raise ValueError(first_nine)


def validate_npi(value: str) -> None:
    if not npi_is_valid(value):
        raise ValidationError(NPI_INVALID, code="invalid_npi")
