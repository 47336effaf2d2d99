"""States, provinces and countries as X12 and the registration form know them.

The 837P's N4 segment takes a state or province code (X12 code source 22: the US
postal abbreviations of the states, DC and the inhabited territories, the armed
forces' AA/AE/AP, and the Canadian provinces) and, outside the US, an ISO 3166-1
country code. The names come from pycountry; the one list here is behind the
registration form's choices and the claim scrubber's checks. Palau (PW), the
Marshall Islands (MH) and Micronesia (FM) are countries, not states: a claim
validator refuses them as N4 state codes.
"""

import re
from functools import cache

import pycountry

# ISO 3166-2 lists the US Minor Outlying Islands (UM), which have no postal
# addresses; the armed forces' postal codes are not in ISO 3166-2.
NOT_A_POSTAL_STATE = {"UM"}
ARMED_FORCES = {
    "AA": "Armed Forces Americas",
    "AE": "Armed Forces Europe",
    "AP": "Armed Forces Pacific",
}
US_ZIP_RE = re.compile(r"^\d{5}(\d{4})?$")


def _subdivisions(country: str) -> dict[str, str]:
    return {
        sub.code.split("-", 1)[1]: sub.name
        for sub in pycountry.subdivisions.get(country_code=country)
        if "-" in sub.code
    }


@cache
def us_states() -> dict[str, str]:
    """Postal code → name of the US states, DC, territories and armed forces."""
    states = _subdivisions("US")
    for code in NOT_A_POSTAL_STATE:
        states.pop(code, None)
    return {**states, **ARMED_FORCES}


@cache
def canadian_provinces() -> dict[str, str]:
    return _subdivisions("CA")


@cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → common name ("US" → "United States")."""
    return {
        country.alpha_2: getattr(country, "common_name", country.name)
        for country in pycountry.countries
    }


def _sorted_choices(names: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(
        ((code, f"{name} ({code})") for code, name in names.items()),
        key=lambda choice: choice[1].casefold(),
    )


@cache
def us_state_choices() -> list[tuple[str, str]]:
    """(code, "Name (code)") for a select of US states, sorted by name."""
    return _sorted_choices(us_states())


@cache
def country_choices() -> list[tuple[str, str]]:
    """(code, "Name (code)") for a select of countries, sorted by name."""
    return _sorted_choices(countries())


def is_us_state(code: str) -> bool:
    return (code or "").upper() in us_states()


def is_state_or_province(code: str, country: str = "US") -> bool:
    """Whether ``code`` is a state code of ``country`` as X12 takes it (US states
    and territories, Canadian provinces); other countries carry no N4 state."""
    code = (code or "").upper()
    country = (country or "US").upper()
    if country == "US":
        return code in us_states()
    if country == "CA":
        return code in canadian_provinces()
    return code == ""


def is_country(code: str) -> bool:
    return (code or "").upper() in countries()


def is_us_zip(value: str) -> bool:
    """A US ZIP code as X12 takes it: five or nine digits, no dash."""
    return bool(US_ZIP_RE.match((value or "").replace("-", "")))


def state_name(code: str) -> str:
    """The name of a US state or Canadian province; the code itself if unknown."""
    code = (code or "").upper()
    return us_states().get(code) or canadian_provinces().get(code) or code


def country_name(code: str) -> str:
    return countries().get((code or "").upper(), code or "")
