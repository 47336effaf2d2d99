"""A completed visit's diagnoses and charges, before they become a claim."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from billing.icd10cm import icd10cm_words
from billing.models.fields import money
from billing.validators import (
    validate_cpt_hcpcs,
    validate_icd10cm,
    validate_modifiers,
    validate_pointers,
)
from clinic.fields import patient_fk, protected_fk, staff_fk, visit_fk


class VisitDiagnosis(models.Model):
    """An ICD-10-CM diagnosis of a visit, in the order it is reported (1-12)."""

    appointment = visit_fk("diagnoses", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(
        _("order"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    code = models.CharField(_("ICD-10-CM"), max_length=8, validators=[validate_icd10cm])
    description = models.CharField(_("description"), max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["appointment", "position"]
        verbose_name_plural = _("visit diagnoses")
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "position"], name="billing_dx_position_unique"
            ),
            models.UniqueConstraint(
                fields=["appointment", "code"], name="billing_dx_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=12),
                name="billing_dx_position_1_12",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.code}"

    @property
    def words(self) -> str:
        """The code table's description (what was stored, for a code the table
        no longer has)."""
        return icd10cm_words(self.code) or self.description


class Charge(models.Model):
    """One billable service of a visit, captured as a draft for billing to review."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("To review")
        BILLED = "billed", _("On a claim")
        VOID = "void", _("Removed")

    appointment = visit_fk("charges")
    patient = patient_fk(related_name="charges", verbose_name=None)
    provider = protected_fk(
        "scheduling.Provider", _("rendering provider"), related_name="charges"
    )
    service_date = models.DateField(_("date of service"))
    code = models.CharField(
        _("CPT/HCPCS"), max_length=5, validators=[validate_cpt_hcpcs]
    )
    modifiers = models.CharField(
        _("modifiers"), max_length=11, blank=True, validators=[validate_modifiers]
    )
    description = models.CharField(_("description"), max_length=120, blank=True)
    units = models.DecimalField(
        _("units"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    unit_price = money(verbose_name=_("unit price"), validators=[MinValueValidator(0)])
    diagnosis_pointers = models.CharField(
        _("diagnosis pointers"),
        max_length=11,
        default="1",
        validators=[validate_pointers],
        help_text=_("Up to four diagnosis numbers (1-12), separated by spaces."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = staff_fk()

    history = HistoricalRecords()

    class Meta:
        ordering = ["appointment", "id"]

    def __str__(self) -> str:
        return f"{self.code} × {self.units} = ${self.amount}"

    @property
    def amount(self) -> Decimal:
        return (self.units * self.unit_price).quantize(Decimal("0.01"))
