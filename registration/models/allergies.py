"""What a patient reacts to."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.fields import patient_fk, staff_fk
from registration.validators import (
    validate_rxnorm,
)


class Allergy(models.Model):
    """A substance the patient reacts to."""

    class Severity(models.TextChoices):
        MILD = "mild", _("Mild")
        MODERATE = "moderate", _("Moderate")
        SEVERE = "severe", _("Severe")
        LIFE_THREATENING = "life", _("Life-threatening")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        RESOLVED = "resolved", _("Resolved")
        ENTERED_IN_ERROR = "error", _("Entered in error")

    SEVERE_LEVELS = (Severity.SEVERE, Severity.LIFE_THREATENING)

    patient = patient_fk("allergies", on_delete=models.CASCADE)
    substance = models.CharField(_("substance"), max_length=200)
    rxnorm_code = models.CharField(
        _("RxNorm code"),
        max_length=12,
        blank=True,
        validators=[validate_rxnorm],
    )
    reaction = models.CharField(_("reaction"), max_length=200, blank=True)
    severity = models.CharField(
        _("severity"),
        max_length=10,
        choices=Severity.choices,
        default=Severity.MODERATE,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    recorded_by = staff_fk(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["patient", "-recorded_at"]
        verbose_name_plural = _("allergies")

    def __str__(self) -> str:
        return self.substance

    @property
    def is_severe(self) -> bool:
        return self.severity in self.SEVERE_LEVELS
