"""Claims, their service lines and notes."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from billing.icd10cm import icd10cm_words
from billing.models.charges import Charge
from billing.models.fields import ZERO, money
from billing.models.reference import BillingProvider
from billing.models.submission import SubmissionBatch
from billing.validators import (
    validate_place_of_service,
)
from clinic.fields import optional_fk, patient_fk, staff_fk, visit_fk


class Claim(models.Model):
    """One visit billed to one coverage."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        READY = "ready", _("Ready")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        DENIED = "denied", _("Denied")
        CLOSED = "closed", _("Closed")

    class Frequency(models.TextChoices):
        ORIGINAL = "1", _("Original")
        CORRECTED = "7", _("Corrected (replacement)")
        VOID = "8", _("Void")

    class Sequence(models.TextChoices):
        PRIMARY = "P", _("Primary")
        SECONDARY = "S", _("Secondary")
        TERTIARY = "T", _("Tertiary")

    OPEN_STATUSES = ["submitted", "accepted", "paid", "partially_paid", "denied"]
    EDITABLE_STATUSES = ["draft", "ready", "rejected"]

    claim_number = models.CharField(
        _("claim number (CLM01)"), max_length=20, unique=True
    )
    appointment = visit_fk("claims")
    patient = patient_fk(related_name="claims", verbose_name=None)
    coverage = models.ForeignKey(
        "registration.Coverage", on_delete=models.PROTECT, related_name="claims"
    )
    payer = models.ForeignKey(
        "registration.Payer", on_delete=models.PROTECT, related_name="claims"
    )
    billing_provider = models.ForeignKey(
        BillingProvider, on_delete=models.PROTECT, related_name="claims"
    )
    rendering_provider = models.ForeignKey(
        "scheduling.Provider", on_delete=models.PROTECT, related_name="claims"
    )
    sequence = models.CharField(
        _("payer order"), max_length=1, choices=Sequence.choices, default="P"
    )
    primary_claim = optional_fk(
        "self", _("primary claim"), related_name="secondary_claims"
    )
    frequency_code = models.CharField(
        _("frequency"), max_length=1, choices=Frequency.choices, default="1"
    )
    original_claim = optional_fk("self", _("replaces"), related_name="replacements")
    payer_claim_number = models.CharField(
        _("payer's claim number"), max_length=50, blank=True
    )
    place_of_service = models.CharField(
        _("place of service"),
        max_length=2,
        default="11",
        validators=[validate_place_of_service],
    )
    service_date = models.DateField(_("date of service"))
    diagnosis_codes = models.CharField(
        _("diagnoses (ICD-10-CM)"),
        max_length=120,
        blank=True,
        help_text=_("Up to 12 codes in order, separated by spaces."),
    )
    total_charge = money(verbose_name=_("total charge"), default=ZERO)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    scrub_errors = models.JSONField(_("scrubber errors"), default=list, blank=True)
    scrubbed_at = models.DateTimeField(null=True, blank=True)
    batch = optional_fk(SubmissionBatch, related_name="claims")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    adjudicated_at = models.DateTimeField(_("adjudicated"), null=True, blank=True)
    paid_amount = money(verbose_name=_("paid"), default=ZERO)
    adjustment_amount = money(verbose_name=_("adjusted"), default=ZERO)
    patient_responsibility = money(verbose_name=_("patient owes"), default=ZERO)
    assigned_to = staff_fk(_("assigned to"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-service_date", "-id"]
        permissions = [
            ("submit_claim", "Can submit claims to the clearinghouse"),
            ("post_remittance", "Can import remittances (835)"),
            ("view_billing_reports", "Can see billing reports"),
        ]
        indexes = [
            models.Index(fields=["status", "service_date"]),
            models.Index(fields=["payer", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "coverage"],
                condition=Q(frequency_code="1"),
                name="billing_one_original_claim_per_visit_coverage",
            ),
            models.CheckConstraint(
                condition=Q(frequency_code="1") | ~Q(payer_claim_number=""),
                name="billing_replacement_names_original",
            ),
        ]

    def __str__(self) -> str:
        return f"Claim {self.claim_number}"

    def get_absolute_url(self) -> str:
        return reverse("billing:claim-detail", args=[self.pk])

    @property
    def diagnosis_list(self) -> list[str]:
        return self.diagnosis_codes.split()

    @property
    def diagnoses_with_words(self) -> list[tuple[str, str]]:
        """(code, the code table's description) in the claim's order."""
        return [(code, icd10cm_words(code)) for code in self.diagnosis_list]

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def balance(self) -> Decimal:
        return (
            self.total_charge
            - self.paid_amount
            - self.adjustment_amount
            - self.patient_responsibility
        )


class ClaimLine(models.Model):
    """A service line: code, modifiers, units, charge and diagnosis pointers."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveSmallIntegerField(
        _("line"), validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    charge = optional_fk(Charge)
    service_date = models.DateField(_("date of service"))
    code = models.CharField(_("CPT/HCPCS"), max_length=5)
    modifiers = models.CharField(_("modifiers"), max_length=11, blank=True)
    units = models.DecimalField(_("units"), max_digits=6, decimal_places=2)
    charge_amount = money(verbose_name=_("charge"))
    diagnosis_pointers = models.CharField(_("pointers"), max_length=11, default="1")
    # What the primary payer did with this line, for a secondary claim (2430).
    prior_paid = money(verbose_name=_("primary paid"), null=True, blank=True)
    prior_adjustments = models.JSONField(default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["claim", "line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "line_number"], name="billing_line_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.claim.claim_number} line {self.line_number}: {self.code}"

    @property
    def modifier_list(self) -> list[str]:
        return self.modifiers.split()

    @property
    def pointer_list(self) -> list[str]:
        return self.diagnosis_pointers.split()


class ClaimNote(models.Model):
    """A biller's note on a claim (work queues)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="notes")
    author = staff_fk(required=True)
    text = models.CharField(_("note"), max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]
