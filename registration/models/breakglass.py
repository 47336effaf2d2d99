"""Time-limited access to a restricted patient's record, and its sign-off."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.constraints import in_order
from clinic.fields import patient_fk, staff_fk, when_and_who


class BreakGlassGrant(models.Model):
    """One user's time-limited access to one restricted patient's record, given
    with a reason, and an administrator's sign-off of it."""

    class Reason(models.TextChoices):
        DIRECT_CARE = "direct_care", _("Caring for the patient now")
        EMERGENCY = "emergency", _("Emergency")
        COVERING = "covering", _("Covering for a colleague")
        OPERATIONS = "operations", _("Scheduling, billing or records work")
        PATIENT_REQUEST = "patient_request", _("At the patient's request")
        OTHER = "other", _("Other (explain below)")

    user = staff_fk(_("user"), required=True)
    patient = patient_fk("break_glass_grants")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    reason_text = models.CharField(_("explanation"), max_length=500)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    reviewed_at, reviewed_by = when_and_who(_("signed off"), _("signed off by"))
    review_note = models.CharField(_("sign-off note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at", "-id"]
        permissions = [
            ("review_breakglassgrant", "Can sign off break-glass access"),
        ]
        constraints = [
            in_order(
                "granted_at", "expires_at", name="breakglass_expires_after_granted"
            ),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True, reviewed_by__isnull=True)
                | Q(reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="breakglass_review_has_who_and_when",
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "patient", "expires_at"], name="breakglass_live"
            ),
            models.Index(
                fields=["granted_at"],
                condition=Q(reviewed_at__isnull=True),
                name="breakglass_unreviewed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.patient.mrn} · {self.granted_at:%Y-%m-%d %H:%M}"

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None
