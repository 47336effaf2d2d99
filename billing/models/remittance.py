"""835 remittances, their uploads and the payments they post to claims."""

from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from billing.models.claims import Claim
from billing.models.fields import ZERO, money
from clinic.fields import optional_fk, staff_fk
from clinic.models import FileUpload


class Remittance(models.Model):
    """One 835 file (one payment), posted all or nothing."""

    trace_number = models.CharField(_("trace number (TRN02)"), max_length=50)
    payer_identifier = models.CharField(_("payer (TRN03)"), max_length=10)
    payer_name = models.CharField(_("payer"), max_length=60, blank=True)
    payment_amount = money(verbose_name=_("payment"))
    payment_method = models.CharField(_("method"), max_length=3, blank=True)
    payment_date = models.DateField(_("payment date"), null=True, blank=True)
    file_name = models.CharField(_("file"), max_length=200)
    content = models.TextField()
    claim_count = models.PositiveIntegerField(default=0)
    unmatched_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    imported_by = staff_fk()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trace_number", "payer_identifier"],
                name="billing_remittance_trace_unique",
            )
        ]

    def __str__(self) -> str:
        return f"835 {self.trace_number} ${self.payment_amount}"

    def get_absolute_url(self) -> str:
        return reverse("billing:remittance-detail", args=[self.pk])


class RemittanceUpload(FileUpload):
    """An 835 uploaded on the page, posted by a background job (queue ``billing``)
    that reports its progress here. The file's text is kept with it (not in its
    history; the posted remittance keeps it too)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Posting")
        DONE = "done", _("Posted")
        FAILED = "failed", _("Refused")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total_claims = models.PositiveIntegerField(_("claims"), default=0)
    done_claims = models.PositiveIntegerField(_("claims prepared"), default=0)
    remittance = models.OneToOneField(
        Remittance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="upload",
    )
    error = models.TextField(_("why it was refused"), blank=True)

    progress_fields = ("done_claims", "total_claims")

    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"835 upload {self.file_name} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("billing:remittance-upload-detail", args=[self.pk])


class ClaimPayment(models.Model):
    """One CLP of an 835: what the payer did with one claim."""

    remittance = models.ForeignKey(
        Remittance, on_delete=models.CASCADE, related_name="claim_payments"
    )
    claim = optional_fk(Claim, related_name="payments")
    patient_control_number = models.CharField(_("CLP01"), max_length=38)
    status_code = models.CharField(_("CLP02"), max_length=2)
    charge_amount = money()
    paid_amount = money()
    patient_responsibility = money(default=ZERO)
    adjustment_amount = money(default=ZERO)
    payer_claim_number = models.CharField(max_length=50, blank=True)
    # [[group, reason, amount], ...] at claim level (CAS before the first SVC)
    adjustments = models.JSONField(default=list, blank=True)
    is_reversal = models.BooleanField(default=False)
    resolved = models.BooleanField(_("exception resolved"), default=False)
    # The service lines (SVC) as posted, compact so that a 10,000-claim 835 posts
    # in seconds: [claim line id or None, code, charge, paid, units,
    # [[group, reason, amount], ...]] per line; read them through ``line_items``.
    lines = models.JSONField(default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["remittance", "id"]
        indexes = [models.Index(fields=["claim"])]

    def __str__(self) -> str:
        return f"{self.patient_control_number} {self.status_code} ${self.paid_amount}"

    @staticmethod
    def _adjustment_dicts(rows) -> list[dict]:
        return [{"group": g, "reason": r, "amount": a} for g, r, a in rows]

    @property
    def adjustment_items(self) -> list[dict]:
        return self._adjustment_dicts(self.adjustments)

    @property
    def line_items(self) -> list[dict]:
        """The posted lines as dicts: claim_line, code, charge, paid, units,
        adjustments (dicts with group, reason, amount)."""
        return [
            {
                "claim_line": line_id,
                "code": code,
                "charge": Decimal(charge),
                "paid": Decimal(paid),
                "units": Decimal(units),
                "adjustments": self._adjustment_dicts(adjustments),
            }
            for line_id, code, charge, paid, units, adjustments in self.lines
        ]
