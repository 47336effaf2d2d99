"""The code lists an 837P's coded elements are checked against, with their names.

States, provinces and countries are the clinic's (``clinic.code_lists``); ICD-10-CM
is ``billing.icd10cm``. The rest are short external code lists of the 005010X222A1
guide, kept here with the names billing pages show.
"""

from django.utils.translation import gettext_lazy as _

# CLM05-1 / SV105: the CMS place-of-service code set (the codes a physician
# practice uses; the full set has more, added here when the clinic needs them).
PLACES_OF_SERVICE = {
    "02": _("Telehealth other than in the patient's home"),
    "10": _("Telehealth in the patient's home"),
    "11": _("Office"),
    "12": _("Home"),
    "19": _("Off campus outpatient hospital"),
    "20": _("Urgent care facility"),
    "21": _("Inpatient hospital"),
    "22": _("On campus outpatient hospital"),
    "23": _("Emergency room, hospital"),
    "24": _("Ambulatory surgical center"),
    "31": _("Skilled nursing facility"),
    "32": _("Nursing facility"),
    "49": _("Independent clinic"),
    "50": _("Federally qualified health center"),
    "71": _("Public health clinic"),
    "72": _("Rural health clinic"),
    "81": _("Independent laboratory"),
    "99": _("Other place of service"),
}
# SV103: the unit of the service's quantity.
UNITS = {"UN": _("units"), "MJ": _("minutes")}
# DMG03: administrative sex.
SEX_CODES = {"F": _("female"), "M": _("male"), "U": _("unknown")}
# SBR02 / PAT01: the patient's relationship to the subscriber (the codes the
# 837P allows there).
RELATIONSHIPS = {
    "01": _("spouse"),
    "18": _("self"),
    "19": _("child"),
    "20": _("employee"),
    "21": _("unknown"),
    "39": _("organ donor"),
    "40": _("cadaver donor"),
    "53": _("life partner"),
    "G8": _("other relationship"),
}
# CLM05-3: original, replacement (corrected) or void.
CLAIM_FREQUENCIES = {"1": _("original"), "7": _("replacement"), "8": _("void")}


def place_of_service_name(code: str) -> str:
    """ "11" → "11 Office"; an unknown code stays as it is."""
    name = PLACES_OF_SERVICE.get(code or "")
    return f"{code} {name}" if name else code or ""


def unit_name(code: str) -> str:
    """ "UN" → "units"; an unknown code stays as it is."""
    return str(UNITS.get(code or "", code or ""))
