"""Reads of a patient's contacts: who may get what now, and each number's answer
to "may it be texted, and why" for the chart."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.texting import Reach, numbers_reach
from registration.models import Patient, PatientContact


def patient_contacts(*, patient: Patient, current: bool = True):
    """The patient's contacts, those not ended first (or only those)."""
    contacts = PatientContact.objects.filter(patient=patient).select_related(
        "consent_recorded_by", "ended_by"
    )
    if current:
        contacts = contacts.filter(ended_at__isnull=True)
    return contacts.order_by("ended_at", "name", "pk")


def contacts_permitted(
    *, patient: Patient, permission: str, at: datetime | None = None
) -> list[PatientContact]:
    """The contacts who hold ``permission`` under valid consent at ``at``."""
    at = at or timezone.now()
    field = PatientContact.PERMISSION_FIELDS[permission]
    candidates = patient_contacts(patient=patient).filter(**{field: True})
    return [contact for contact in candidates if contact.permits(permission, at)]


def contact_unreachable_reason(contact: PatientContact, purpose: str) -> str:
    """Why a contact may not get a message for ``purpose`` now ("" when they may)."""
    now = timezone.now()
    if contact.ended_at is not None:
        return _("contact ended")
    if not contact.consent_valid(now):
        return _("the patient's consent to this contact has run out")
    if purpose and not contact.permits(purpose, now):
        return _("contact has no permission: %(what)s") % {
            "what": PatientContact.Permission(purpose).label
        }
    return ""


@dataclass(frozen=True)
class NumberRow:
    """One number on the chart: whose it is and whether it may be texted."""

    owner: str
    reach: Reach


def patient_numbers(*, patient: Patient, contacts) -> list[NumberRow]:
    """The patient's own mobile number and each contact's, with the number's
    answer (one query for all)."""
    owners = [(_("Patient"), patient.phone_mobile)] + [
        (str(contact), contact.phone_mobile) for contact in contacts
    ]
    answers = numbers_reach([number for _owner, number in owners if number])
    rows = []
    for owner, number in owners:
        if number:
            rows.append(NumberRow(owner, answers[str(number)]))
        else:
            rows.append(NumberRow(owner, Reach("", False, _("No mobile number"))))
    return rows
