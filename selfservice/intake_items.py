"""The items of an intake the front desk decides one by one: each demographic
field the patient changed, the insurance (with its card photos), "no known
allergies", each allergy, each home medication, and consent to texts.

``proposed`` (``Intake.proposed``) holds what the patient wrote:
``{"demographics": {field: text}, "insurance": {payer, payer_name, member_id,
group_number}, "no_known_allergies": bool, "allergies": [{substance, reaction}],
"medications": [{name, dose, frequency}], "sms_consent": bool}``.
"""

from collections import namedtuple

from django.utils.translation import gettext_lazy as _

from registration.models import Patient

# The patient's own fields the form asks (name, birth date and sex stay the desk's).
DEMOGRAPHICS = [
    "preferred_name",
    "pronouns",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "phone_mobile",
    "email",
    "preferred_language",
]
INSURANCE = "insurance"
NO_KNOWN_ALLERGIES = "no_known_allergies"
ALLERGY = "allergy:"
MEDICATION = "medication:"
SMS_CONSENT = "sms_consent"


# One thing to decide: its key (a field, "insurance", "allergy:0", ...), its
# label and what the patient wrote, as text.
Item = namedtuple("Item", "key label proposed")


def _label(name: str) -> str:
    return str(Patient._meta.get_field(name).verbose_name).capitalize()


def _insurance_text(insurance: dict) -> str:
    group = insurance.get("group_number")
    return " · ".join(
        part
        for part in (
            insurance.get("payer_name", ""),
            insurance.get("member_id", ""),
            str(_("group %(group)s") % {"group": group}) if group else "",
        )
        if part
    )


def changed_demographics(values: dict, *, patient: Patient) -> dict[str, str]:
    """The demographic fields the patient wrote that differ from the record (kept
    as proposed when the form comes in; the others are no item)."""
    return {
        name: str(values[name]).strip()
        for name in DEMOGRAPHICS
        if str(values.get(name) or "").strip()
        and str(values[name]).strip() != str(getattr(patient, name) or "")
    }


def items_of(proposed: dict) -> list[Item]:
    """The items to decide, in the form's order."""
    items = [
        Item(name, _label(name), value)
        for name, value in proposed.get("demographics", {}).items()
        if name in DEMOGRAPHICS
    ]
    if proposed.get("insurance"):
        items.append(
            Item(INSURANCE, str(_("Insurance")), _insurance_text(proposed[INSURANCE]))
        )
    if proposed.get(NO_KNOWN_ALLERGIES):
        items.append(
            Item(NO_KNOWN_ALLERGIES, str(_("Allergies")), str(_("No known allergies")))
        )
    for index, allergy in enumerate(proposed.get("allergies", [])):
        text = allergy["substance"]
        if allergy.get("reaction"):
            text += f" ({allergy['reaction']})"
        items.append(Item(f"{ALLERGY}{index}", str(_("Allergy")), text))
    for index, drug in enumerate(proposed.get("medications", [])):
        text = " ".join(drug[k] for k in ("name", "dose", "frequency") if drug.get(k))
        items.append(Item(f"{MEDICATION}{index}", str(_("Home medication")), text))
    if proposed.get(SMS_CONSENT):
        items.append(
            Item(SMS_CONSENT, str(_("Text messages")), str(_("Agrees to texts")))
        )
    return items


def current_value(key: str, *, patient: Patient, context: dict) -> str:
    """What the record says now about an item (``context``: the patient's primary
    coverage, allergies and home medications, read once per page)."""
    if key in DEMOGRAPHICS:
        return str(getattr(patient, key) or "")
    if key == INSURANCE:
        return str(context["coverage"] or _("No insurance on file"))
    if key == NO_KNOWN_ALLERGIES or key.startswith(ALLERGY):
        return ", ".join(context["allergies"]) or patient.get_allergy_review_display()
    if key.startswith(MEDICATION):
        return ", ".join(context["medications"]) or str(_("None on the home list"))
    if key == SMS_CONSENT:
        return str(_("Agrees to texts") if patient.sms_consent else _("No consent"))
    return ""
