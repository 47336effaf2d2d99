"""Billing: set-up, charges, claims, submissions and remittances.

Money is Decimal; every model keeps its history.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from billing.validators import (
    validate_cpt_hcpcs,
    validate_icd10cm,
    validate_modifiers,
    validate_place_of_service,
    validate_pointers,
    validate_tax_id,
)
from scheduling.validators import validate_npi

ZERO = Decimal("0.00")


def money(**kwargs):
    return models.DecimalField(max_digits=11, decimal_places=2, **kwargs)


class BillingProvider(models.Model):
    """The clinic as it bills: name, NPI, tax ID, taxonomy and pay-to address."""

    name = models.CharField(_("name"), max_length=60)
    npi = models.CharField(_("NPI"), max_length=10, validators=[validate_npi])
    tax_id = models.CharField(
        _("tax ID (EIN)"), max_length=9, validators=[validate_tax_id]
    )
    taxonomy_code = models.CharField(_("taxonomy code"), max_length=10, blank=True)
    address_line1 = models.CharField(_("address"), max_length=55)
    city = models.CharField(_("city"), max_length=30)
    state = models.CharField(_("state"), max_length=2)
    postal_code = models.CharField(
        _("ZIP+4"), max_length=9, help_text=_("Nine digits, no dash.")
    )
    contact_name = models.CharField(_("billing contact"), max_length=60)
    contact_phone = models.CharField(_("contact phone (digits)"), max_length=10)
    place_of_service = models.CharField(
        _("default place of service"),
        max_length=2,
        default="11",
        validators=[validate_place_of_service],
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_active", "name"]

    def __str__(self) -> str:
        return f"{self.name} (NPI {self.npi})"


class PayerBillingProfile(models.Model):
    """What billing needs about a payer beyond registration's Payer."""

    payer = models.OneToOneField(
        "registration.Payer",
        verbose_name=_("payer"),
        on_delete=models.CASCADE,
        related_name="billing_profile",
    )
    timely_filing_days = models.PositiveSmallIntegerField(
        _("timely filing limit (days)"), default=365
    )
    paper_claims = models.BooleanField(
        _("wants paper claims (CMS-1500)"), default=False
    )

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.payer}: {self.timely_filing_days} days"


class FeeScheduleEntry(models.Model):
    """The clinic's price of one CPT/HCPCS code (with modifiers)."""

    code = models.CharField(
        _("CPT/HCPCS"), max_length=5, validators=[validate_cpt_hcpcs]
    )
    modifiers = models.CharField(
        _("modifiers"),
        max_length=11,
        blank=True,
        validators=[validate_modifiers],
        help_text=_("Up to four two-character modifiers, separated by spaces."),
    )
    description = models.CharField(_("description"), max_length=120)
    price = money(verbose_name=_("price"), validators=[MinValueValidator(ZERO)])
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "modifiers"]
        verbose_name_plural = _("fee schedule entries")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "modifiers"], name="billing_fee_code_unique"
            )
        ]

    def __str__(self) -> str:
        mods = f"-{self.modifiers}" if self.modifiers else ""
        return f"{self.code}{mods} {self.description} ${self.price}"


class VisitDiagnosis(models.Model):
    """An ICD-10-CM diagnosis of a visit, in the order it is reported (1-12)."""

    appointment = models.ForeignKey(
        "scheduling.Appointment",
        verbose_name=_("visit"),
        on_delete=models.CASCADE,
        related_name="diagnoses",
    )
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


class Charge(models.Model):
    """One billable service of a visit, captured as a draft for billing to review."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("To review")
        BILLED = "billed", _("On a claim")
        VOID = "void", _("Removed")

    appointment = models.ForeignKey(
        "scheduling.Appointment",
        verbose_name=_("visit"),
        on_delete=models.PROTECT,
        related_name="charges",
    )
    patient = models.ForeignKey(
        "registration.Patient", on_delete=models.PROTECT, related_name="charges"
    )
    provider = models.ForeignKey(
        "scheduling.Provider",
        verbose_name=_("rendering provider"),
        on_delete=models.PROTECT,
        related_name="charges",
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["appointment", "id"]

    def __str__(self) -> str:
        return f"{self.code} × {self.units} = ${self.amount}"

    @property
    def amount(self) -> Decimal:
        return (self.units * self.unit_price).quantize(Decimal("0.01"))


class SubmissionBatch(models.Model):
    """One 837P interchange: its control numbers, its file, and whether it went out.

    ``transmitting`` is written (and committed) before the file is handed to the
    clearinghouse and ``sent`` after; a batch found in ``transmitting`` is reconciled
    with the clearinghouse instead of being sent again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        TRANSMITTING = "transmitting", _("Being sent")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted (999)")
        REJECTED = "rejected", _("Rejected (999)")
        FAILED = "failed", _("Could not be sent")

    isa_control_number = models.PositiveIntegerField(_("ISA13"), unique=True)
    gs_control_number = models.PositiveIntegerField(_("GS06"), unique=True)
    st_control_number = models.PositiveIntegerField(_("first ST02"), unique=True)
    transaction_count = models.PositiveSmallIntegerField(_("ST sets"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    file_name = models.CharField(_("file"), max_length=80)
    content = models.TextField(_("837P"))
    claim_count = models.PositiveIntegerField(_("claims"), default=0)
    total_charge = money(verbose_name=_("total charge"), default=ZERO)
    backend = models.CharField(_("clearinghouse backend"), max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    transmit_started_at = models.DateTimeField(null=True, blank=True)
    transmitted_at = models.DateTimeField(_("sent"), null=True, blank=True)
    remote_reference = models.CharField(max_length=120, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    ack_detail = models.CharField(_("acknowledgement"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("submission batches")

    def __str__(self) -> str:
        return f"Batch {self.isa_control_number:09d} ({self.claim_count} claims)"

    def get_absolute_url(self) -> str:
        return reverse("billing:batch-detail", args=[self.pk])


class ControlNumber(models.Model):
    """The last X12 control number handed out for one kind (ISA, GS, ST)."""

    name = models.CharField(max_length=8, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"


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
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        verbose_name=_("visit"),
        on_delete=models.PROTECT,
        related_name="claims",
    )
    patient = models.ForeignKey(
        "registration.Patient", on_delete=models.PROTECT, related_name="claims"
    )
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
    primary_claim = models.ForeignKey(
        "self",
        verbose_name=_("primary claim"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="secondary_claims",
    )
    frequency_code = models.CharField(
        _("frequency"), max_length=1, choices=Frequency.choices, default="1"
    )
    original_claim = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replacements",
    )
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
    batch = models.ForeignKey(
        SubmissionBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    adjudicated_at = models.DateTimeField(_("adjudicated"), null=True, blank=True)
    paid_amount = money(verbose_name=_("paid"), default=ZERO)
    adjustment_amount = money(verbose_name=_("adjusted"), default=ZERO)
    patient_responsibility = money(verbose_name=_("patient owes"), default=ZERO)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
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
    charge = models.ForeignKey(
        Charge, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
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
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField(_("note"), max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class Acknowledgement(models.Model):
    """A 999 or 277CA file read from the clearinghouse."""

    kind = models.CharField(max_length=8)  # "999" | "277CA"
    file_name = models.CharField(max_length=200)
    content = models.TextField()
    summary = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"


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
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

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


class RemittanceUpload(models.Model):
    """An 835 uploaded on the page, posted by a background job (queue ``billing``)
    that reports its progress here. The file's text is kept with it (not in its
    history; the posted remittance keeps it too)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Posting")
        DONE = "done", _("Posted")
        FAILED = "failed", _("Refused")

    file_name = models.CharField(_("file"), max_length=200)
    text = models.TextField(_("content"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
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
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"835 upload {self.file_name} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("billing:remittance-upload-detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_claims:
            return 0
        return min(99, int(self.done_claims * 100 / self.total_claims))


class ClaimPayment(models.Model):
    """One CLP of an 835: what the payer did with one claim."""

    remittance = models.ForeignKey(
        Remittance, on_delete=models.CASCADE, related_name="claim_payments"
    )
    claim = models.ForeignKey(
        Claim,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
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
