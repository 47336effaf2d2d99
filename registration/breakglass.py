"""Writes of restricted records: marking a patient restricted or lifting it,
breaking the glass (a one-hour grant, logged and alerted), and an administrator's
sign-off of each grant."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import alert_raise, alert_resolve_by_key
from clinic.exceptions import ApplicationError
from clinic.models import AccessLog
from clinic.permissions import ADMINISTRATOR
from clinic.services import access_log_record
from registration.models import BreakGlassGrant, Patient

GRANT_DURATION = timedelta(hours=1)
ALERT_KIND = "break_glass"

RESTRICTION_REASON_REQUIRED = _("Give the reason; it is kept in the record's history.")
RESTRICTION_UNCHANGED = _("The record already has this restriction.")
RESTRICTION_ONLY_ADMINISTRATORS = _(
    "Only an administrator may lift or change a patient's restriction."
)
RESTRICTION_NOT_ALLOWED = _("You may not mark patients restricted.")
NOT_RESTRICTED = _("This patient's record is not restricted: open it as usual.")
BREAK_GLASS_REASON_REQUIRED = _("Choose a reason and explain it in a few words.")
SIGN_OFF_NOTE_REQUIRED = _("Write a note for the sign-off; it is kept with each row.")
SIGN_OFF_NOTHING_CHOSEN = _("Choose at least one access to sign off.")
SIGN_OFF_ALREADY = _("Access #%(id)s was already signed off; nothing was signed.")
SIGN_OFF_OWN = _(
    "Access #%(id)s is your own; another administrator signs it off. "
    "Nothing was signed."
)
SIGN_OFF_NOT_ALLOWED = _("Only administrators sign off restricted access.")


class RestrictionNotAllowed(ApplicationError):
    pass


class NotRestricted(ApplicationError):
    pass


class SignOffRefused(ApplicationError):
    pass


def patient_set_restriction(
    *, patient: Patient, restriction: str, reason: str, actor
) -> Patient:
    """Marking a patient restricted is for front desk and administrators; lifting
    or changing a restriction is for administrators only. The reason is kept in the
    patient's history."""
    reason = (reason or "").strip()
    if restriction not in Patient.Restriction.values:
        raise ValidationError({"restriction": _("Choose one of the listed kinds.")})
    if not reason:
        raise ValidationError({"reason": RESTRICTION_REASON_REQUIRED})
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        if locked.restriction == restriction:
            raise ValidationError({"restriction": RESTRICTION_UNCHANGED})
        if locked.restriction:
            if not actor.has_perm("registration.unrestrict_patient"):
                raise RestrictionNotAllowed(RESTRICTION_ONLY_ADMINISTRATORS)
        elif not actor.has_perm("registration.restrict_patient"):
            raise RestrictionNotAllowed(RESTRICTION_NOT_ALLOWED)
        verb = "restricted" if restriction else "restriction lifted"
        locked.restriction = restriction
        locked._history_user = actor  # also outside a request (commands, jobs)
        locked._change_reason = (
            f"{verb} ({restriction}): {reason}" if restriction else f"{verb}: {reason}"
        )[:100]
        locked.save(update_fields=["restriction"])
    patient.restriction = restriction
    return patient


def break_glass(
    *, patient: Patient, reason: str, reason_text: str, actor, request=None
) -> BreakGlassGrant:
    """Opening a restricted record gives that user one hour on that patient, with a
    reason from the list and words of their own; it is written in the access log
    and raises an alert to the administrators, who sign it off."""
    reason_text = (reason_text or "").strip()
    if reason not in BreakGlassGrant.Reason.values or not reason_text:
        raise ValidationError(BREAK_GLASS_REASON_REQUIRED)
    if not Patient.objects.filter(pk=patient.pk).exclude(restriction="").exists():
        raise NotRestricted(NOT_RESTRICTED)
    now = timezone.now()
    grant = BreakGlassGrant(
        user=actor,
        patient=patient,
        reason=reason,
        reason_text=reason_text[:500],
        granted_at=now,
        expires_at=now + GRANT_DURATION,
    )
    grant.full_clean()
    with transaction.atomic():
        grant._change_reason = "break-glass"
        grant._history_user = actor
        grant.save()
        access_log_record(
            user=actor,
            action=AccessLog.Action.VIEW,
            patient=patient,
            obj=grant,
            what=f"break-glass: {reason}",
            request=request,
        )
        who = actor.get_full_name() or actor.get_username()
        alert_raise(
            kind=ALERT_KIND,
            title=_("Restricted record opened by %(who)s") % {"who": who},
            message=_(
                "%(reason)s: %(text)s. Review and sign it off in the restricted "
                "access report."
            )
            % {"reason": grant.get_reason_display(), "text": grant.reason_text},
            role=ADMINISTRATOR,
            subject=grant,
            key=f"break-glass:{grant.pk}",
        )
    return grant


def grants_sign_off(*, grant_ids, note: str, actor) -> int:
    """An administrator signs off break-glass access with a note: each chosen grant
    at most once, never their own; all chosen or none. Closes each grant's alert."""
    note = (note or "").strip()
    if not actor.has_perm("registration.review_breakglassgrant"):
        raise SignOffRefused(SIGN_OFF_NOT_ALLOWED)
    try:
        ids = sorted({int(pk) for pk in grant_ids})
    except (TypeError, ValueError):
        raise ValidationError({"grants": SIGN_OFF_NOTHING_CHOSEN}) from None
    if not ids:
        raise ValidationError({"grants": SIGN_OFF_NOTHING_CHOSEN})
    if not note:
        raise ValidationError({"note": SIGN_OFF_NOTE_REQUIRED})
    now = timezone.now()
    with transaction.atomic():
        grants = list(
            BreakGlassGrant.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(grants) != len(ids):
            raise ValidationError({"grants": SIGN_OFF_NOTHING_CHOSEN})
        for grant in grants:
            if grant.reviewed_at is not None:
                raise SignOffRefused(SIGN_OFF_ALREADY % {"id": grant.pk})
            if grant.user_id == actor.pk:
                raise SignOffRefused(SIGN_OFF_OWN % {"id": grant.pk})
        for grant in grants:
            grant.reviewed_by, grant.reviewed_at = actor, now
            grant.review_note = note[:500]
            grant._change_reason = f"signed off: {note}"[:100]
            grant._history_user = actor
            grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
            alert_resolve_by_key(
                key=f"break-glass:{grant.pk}",
                note=f"Signed off: {note}"[:500],
                actor=actor,
            )
    return len(grants)
