"""The languages a patient may prefer: ISO 639-1 codes with their English names
(from pycountry), the one list behind the registration form, the reminder
templates' languages and the outbox's language column.

``language_normalise`` turns what older records hold (free text such as
"Spanish", "es-MX", "ES", "Español") into a code, or "" when it names none.
"""

from functools import cache

import pycountry
from django.conf.locale import LANG_INFO


@cache
def language_names() -> dict[str, str]:
    """ISO 639-1 code → English name ("es" → "Spanish"), all 184 codes."""
    return {
        language.alpha_2: language.name
        for language in pycountry.languages
        if hasattr(language, "alpha_2")
    }


@cache
def language_choices() -> list[tuple[str, str]]:
    """(code, "Name (code)") for a select, sorted by name."""
    return sorted(
        ((code, f"{name} ({code})") for code, name in language_names().items()),
        key=lambda choice: choice[1].casefold(),
    )


def language_name(code: str) -> str:
    """The English name of a code ("ar" → "Arabic"); the code itself if unknown."""
    return language_names().get((code or "").lower(), code or "")


@cache
def _by_name() -> dict[str, str]:
    names = {name.casefold(): code for code, name in language_names().items()}
    for code, info in LANG_INFO.items():
        base = code.split("-")[0]
        if base in language_names() and "name_local" in info:
            names.setdefault(info["name_local"].casefold(), base)
    return names


def language_normalise(text: str) -> str:
    """The ISO 639-1 code that ``text`` names, or "" if it names none."""
    value = (text or "").strip()
    if not value:
        return ""
    code = value.replace("_", "-").split("-")[0].lower()
    if code in language_names():
        return code
    return _by_name().get(value.casefold(), "")
