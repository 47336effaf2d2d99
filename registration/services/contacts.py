"""Writes of a patient's contacts: added with the patient's consent, edited,
ended. Every change is in the contact's history with who made it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registration.models import Patient, PatientContact

CONTACT_END_REASON_REQUIRED = _("Say why the contact ends; the reason is kept.")
CONTACT_ENDED = _("This contact has ended; add a new one instead.")
CONSENT_UNTIL_PAST = _("Consent cannot end before it was given.")
CONTACT_NEEDS_ADDRESS = _("Give a mobile number or an e-mail address.")

CONTACT_FIELDS = PatientContact.EDITABLE_FIELDS


def _contact_save(contact: PatientContact, *, change_reason: str) -> PatientContact:
    """A contact is saved only with a way to reach it and a consent that does not
    end before it began."""
    if not contact.phone_mobile and not contact.email:
        raise ValidationError({"phone_mobile": CONTACT_NEEDS_ADDRESS})
    if contact.consent_until and contact.consent_until < timezone.localdate(
        contact.consent_at
    ):
        raise ValidationError({"consent_until": CONSENT_UNTIL_PAST})
    contact.full_clean()
    with transaction.atomic():
        contact._change_reason = change_reason
        contact.save()
    return contact


def contact_add(*, patient: Patient, data: dict, actor) -> PatientContact:
    """A contact acts for the patient only with the patient's consent, recorded
    with how it was given, by whom and until when (``consent_method``,
    ``consent_until``)."""
    contact = PatientContact(
        patient=patient,
        consent_recorded_by=actor,
        consent_at=timezone.now(),
        **{name: data[name] for name in CONTACT_FIELDS if name in data},
    )
    return _contact_save(contact, change_reason="contact added")


def contact_update(*, contact: PatientContact, data: dict, actor) -> PatientContact:
    """An edit of a contact's details or permissions; a new consent method or end
    date is consent recorded again (now, by ``actor``)."""
    if contact.ended_at is not None:
        raise ValidationError(CONTACT_ENDED)
    # As stored (a bound model form has already copied its fields onto contact).
    consent_before = (
        PatientContact.objects.filter(pk=contact.pk)
        .values_list("consent_method", "consent_until")
        .get()
    )
    for name in CONTACT_FIELDS:
        if name in data:
            setattr(contact, name, data[name])
    if (contact.consent_method, contact.consent_until) != consent_before:
        contact.consent_at = timezone.now()
        contact.consent_recorded_by = actor
    return _contact_save(contact, change_reason="contact edited")


def contact_end(*, contact: PatientContact, reason: str, actor) -> PatientContact:
    """An ended contact keeps its record and history but may do nothing more."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": CONTACT_END_REASON_REQUIRED})
    if contact.ended_at is not None:
        raise ValidationError(CONTACT_ENDED)
    with transaction.atomic():
        contact.ended_at = timezone.now()
        contact.ended_by = actor
        contact.end_reason = reason[:200]
        contact._change_reason = f"ended: {reason}"[:100]
        contact.save()
    return contact
