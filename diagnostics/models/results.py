"""Results (observations) and the acknowledgement of critical ones."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.fields import optional_fk, staff_fk
from diagnostics.models.catalogue import TestDefinition
from diagnostics.models.hl7 import Hl7Message
from diagnostics.models.orders import DiagnosticOrder
from diagnostics.units import unit_label


class Observation(models.Model):
    """The result of one test of an order; a correction replaces the value and
    the earlier one stays in history."""

    class Flag(models.TextChoices):
        NORMAL = "N", _("Normal")
        LOW = "L", _("Low")
        HIGH = "H", _("High")
        CRITICAL_LOW = "LL", _("Critical low")
        CRITICAL_HIGH = "HH", _("Critical high")
        ABNORMAL = "A", _("Abnormal")

    class Status(models.TextChoices):
        PRELIMINARY = "P", _("Preliminary")
        FINAL = "F", _("Final")
        CORRECTED = "C", _("Corrected")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        HL7 = "hl7", _("HL7 interface")

    order = models.ForeignKey(
        DiagnosticOrder, on_delete=models.CASCADE, related_name="observations"
    )
    test = models.ForeignKey(TestDefinition, on_delete=models.PROTECT)
    value_numeric = models.DecimalField(
        _("value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    value_text = models.TextField(_("value (text)"), blank=True)
    value_code = models.CharField(_("code"), max_length=40, blank=True)
    value_code_system = models.CharField(_("code system"), max_length=20, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    reference_range = models.CharField(_("reference range"), max_length=60, blank=True)
    flag = models.CharField(
        _("flag"), max_length=2, choices=Flag.choices, default=Flag.NORMAL
    )
    flag_from_lab = models.BooleanField(_("flag sent by the lab"), default=False)
    status = models.CharField(
        _("result status"), max_length=1, choices=Status.choices, default="F"
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    hl7_message = optional_fk(Hl7Message)
    observed_at = models.DateTimeField(_("observed"), null=True, blank=True)
    resulted_at = models.DateTimeField(_("resulted"), default=timezone.now)
    entered_by = staff_fk()
    comment = models.TextField(_("comment"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "test"], name="observation_one_per_test"
            )
        ]
        indexes = [models.Index(fields=["test", "resulted_at"], name="dxobs_test")]

    def __str__(self) -> str:
        return f"{self.test.code} {self.display_value}"

    @property
    def is_critical(self) -> bool:
        return self.flag in {self.Flag.CRITICAL_LOW, self.Flag.CRITICAL_HIGH}

    @property
    def is_abnormal(self) -> bool:
        return self.flag != self.Flag.NORMAL

    @property
    def display_unit(self) -> str:
        return unit_label(self.unit)

    @property
    def display_value(self) -> str:
        if self.value_numeric is not None:
            places = self.test.decimals if self.test_id else 2
            return f"{self.value_numeric:.{places}f}"
        return self.value_text or self.value_code


class CriticalAcknowledgement(models.Model):
    """Proof that a clinician took in a critical result: who, when, what was done."""

    observation = models.ForeignKey(
        Observation, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    acknowledged_by = staff_fk(required=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), default=timezone.now)
    action_taken = models.TextField(_("what was done"))
    value_seen = models.CharField(_("value acknowledged"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["acknowledged_at"]

    def __str__(self) -> str:
        return f"{self.observation} acknowledged by {self.acknowledged_by}"
