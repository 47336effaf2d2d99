"""Check digits that the apps share (MRN, NPI)."""


def luhn_digit(number: str) -> str:
    """The Luhn (mod 10) check digit for a string of digits: it catches one mistyped
    digit and most swaps of two neighbours."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)
