"""Medical record numbers: seven digits of sequence and a Luhn check digit.

The check digit catches a mistyped digit or two swapped neighbours when an MRN is read
off a wristband or typed at the desk.
"""

import re

from django.db import connection

from clinic.checkdigits import luhn_digit

MRN_RE = re.compile(r"^\d{8}$")
FIRST_NUMBER = 1_000_000
SEQUENCE = "registration_mrn_seq"


def mrn_from_number(number: int) -> str:
    body = f"{number:07d}"
    return body + luhn_digit(body)


def mrn_is_valid(value: str) -> bool:
    return bool(MRN_RE.match(value)) and luhn_digit(value[:-1]) == value[-1]


def mrn_allocate(count: int = 1) -> list[str]:
    """``count`` new MRNs, never handed out before.

    PostgreSQL draws them from a sequence (no two transactions get the same one);
    SQLite serialises writers, so the highest MRN so far plus one is safe there.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT nextval('{SEQUENCE}') FROM generate_series(1, %s)", [count]
            )
            numbers = [row[0] for row in cursor.fetchall()]
    else:
        # Imported here: registration.models imports this module (the MRN
        # field's default), so a module-level import would be a real cycle.
        from registration.models import Patient

        highest = (
            Patient.objects.filter(mrn__regex=r"^[0-9]{8}$")
            .order_by("-mrn")
            .values_list("mrn", flat=True)
            .first()
        )
        start = int(highest[:-1]) + 1 if highest else FIRST_NUMBER
        numbers = list(range(start, start + count))
    return [mrn_from_number(number) for number in numbers]
