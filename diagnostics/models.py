"""Diagnostic tests: the catalogue, orders, specimens, results, HL7 messages."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

LOINC_SHAPE = RegexValidator(
    r"^\d{1,7}-\d$", _("A LOINC code looks like 718-7 (digits, dash, check digit).")
)
ICD10CM_SHAPE = RegexValidator(
    r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$",
    _("An ICD-10-CM code looks like E11.9 or R07.89 (letter, 2 characters, .detail)."),
)


class SpecimenType(models.TextChoices):
    BLOOD = "blood", _("Whole blood (EDTA)")
    SERUM = "serum", _("Serum")
    PLASMA = "plasma", _("Plasma (citrate)")
    URINE = "urine", _("Urine")
    SWAB = "swab", _("Throat swab")


class TestDefinition(models.Model):
    """One orderable test of the catalogue, with its limits."""

    __test__ = False  # not a pytest test class, whatever its name

    class ResultType(models.TextChoices):
        NUMERIC = "numeric", _("Numeric")
        CODED = "coded", _("Coded")
        TEXT = "text", _("Text")

    loinc = models.CharField(
        _("LOINC code"), max_length=10, unique=True, validators=[LOINC_SHAPE]
    )
    code = models.CharField(_("short code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=200)
    specimen_type = models.CharField(
        _("specimen type"), max_length=16, choices=SpecimenType.choices
    )
    result_type = models.CharField(
        _("result type"), max_length=10, choices=ResultType.choices
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=1)
    critical_low = models.DecimalField(
        _("critical low"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    critical_high = models.DecimalField(
        _("critical high"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    normal_values = models.CharField(
        _("normal coded values"),
        max_length=200,
        blank=True,
        help_text=_("For coded tests: normal answers, separated by '|'."),
    )
    active = models.BooleanField(_("orderable"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(critical_low__isnull=True)
                | Q(critical_high__isnull=True)
                | Q(critical_low__lt=models.F("critical_high")),
                name="testdefinition_critical_low_below_high",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.loinc})"

    @property
    def is_numeric(self) -> bool:
        return self.result_type == self.ResultType.NUMERIC

    def normal_value_list(self) -> list[str]:
        return [v.strip().lower() for v in self.normal_values.split("|") if v.strip()]


class ReferenceRange(models.Model):
    """A normal range for a sex (blank: any sex) and an age band [min, max)."""

    class Sex(models.TextChoices):
        ANY = "", _("Any")
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    test = models.ForeignKey(
        TestDefinition, on_delete=models.CASCADE, related_name="ranges"
    )
    sex = models.CharField(
        _("sex at birth"), max_length=1, blank=True, choices=Sex.choices
    )
    age_min_years = models.PositiveSmallIntegerField(_("from age"), default=0)
    age_max_years = models.PositiveSmallIntegerField(
        _("below age"), null=True, blank=True
    )
    low = models.DecimalField(
        _("low"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    high = models.DecimalField(
        _("high"), max_digits=12, decimal_places=4, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["test", "sex", "age_min_years"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sex__in=["", "F", "M"]), name="referencerange_sex"
            ),
            models.CheckConstraint(
                condition=Q(age_max_years__isnull=True)
                | Q(age_max_years__gt=models.F("age_min_years")),
                name="referencerange_age_band",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.test.code} {self.text}"

    @property
    def text(self) -> str:
        low = "" if self.low is None else f"{self.low.normalize():f}"
        high = "" if self.high is None else f"{self.high.normalize():f}"
        if low and high:
            return f"{low}-{high}"
        if low:
            return f">={low}"
        return f"<={high}" if high else ""


class Panel(models.Model):
    """A group of tests ordered together (CBC, CMP, lipid panel...)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=200)
    loinc = models.CharField(
        _("LOINC code"), max_length=10, blank=True, validators=[LOINC_SHAPE]
    )
    tests = models.ManyToManyField(TestDefinition, related_name="panels")
    active = models.BooleanField(_("orderable"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class DiagnosticOrder(models.Model):
    """An order for one or more tests: ordered → collected → in lab → resulted →
    reviewed (or cancelled before a result)."""

    class Priority(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        STAT = "stat", _("STAT")

    class Status(models.TextChoices):
        ORDERED = "ordered", _("Ordered")
        COLLECTED = "collected", _("Collected")
        IN_LAB = "in_lab", _("In lab")
        PARTIAL = "partial", _("Resulted (partial)")
        FINAL = "final", _("Resulted (final)")
        CORRECTED = "corrected", _("Resulted (corrected)")
        REVIEWED = "reviewed", _("Reviewed")
        CANCELLED = "cancelled", _("Cancelled")

    patient = models.ForeignKey(
        "registration.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="diagnostic_orders",
    )
    accession = models.CharField(_("accession number"), max_length=20, unique=True)
    ordering_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ordering clinician"),
        on_delete=models.PROTECT,
        related_name="diagnostic_orders",
    )
    tests = models.ManyToManyField(
        TestDefinition, through="OrderedTest", related_name="orders"
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default="routine"
    )
    reason_code = models.CharField(
        _("reason (ICD-10-CM)"), max_length=8, validators=[ICD10CM_SHAPE]
    )
    reason_text = models.CharField(_("reason"), max_length=200, blank=True)
    fasting = models.BooleanField(_("fasting required"), default=False)
    instructions = models.TextField(_("instructions"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.ORDERED,
        db_index=True,
    )
    ordered_at = models.DateTimeField(_("ordered"), default=timezone.now)
    collected_at = models.DateTimeField(_("collected"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent to lab"), null=True, blank=True)
    resulted_at = models.DateTimeField(_("resulted"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_note = models.TextField(_("review note"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-ordered_at", "-id"]
        permissions = [
            ("collect_specimen", "Can collect and send specimens"),
            ("enter_result", "Can enter results by hand"),
            ("review_result", "Can review (sign off) results"),
            ("acknowledge_critical", "Can acknowledge critical results"),
            ("view_turnaround", "Can see the turnaround-time report"),
            ("view_results", "Can see test results (values, flags, review notes)"),
        ]
        indexes = [
            models.Index(
                fields=["ordering_clinician", "status"], name="dxorder_clin_status"
            ),
            models.Index(fields=["patient", "-ordered_at"], name="dxorder_patient"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="dxorder_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.accession} · {self.patient}"

    def get_absolute_url(self) -> str:
        return reverse("diagnostics:order-detail", args=[self.pk])

    @property
    def is_resulted(self) -> bool:
        return self.status in {
            self.Status.PARTIAL,
            self.Status.FINAL,
            self.Status.CORRECTED,
            self.Status.REVIEWED,
        }

    @property
    def is_open(self) -> bool:
        return self.status not in {self.Status.REVIEWED, self.Status.CANCELLED}


class OrderedTest(models.Model):
    """One test of an order (and the panel it came with)."""

    order = models.ForeignKey(
        DiagnosticOrder, on_delete=models.CASCADE, related_name="items"
    )
    test = models.ForeignKey(TestDefinition, on_delete=models.PROTECT)
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "test"], name="orderedtest_once_per_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.accession} {self.test.code}"


class Specimen(models.Model):
    """A specimen collected for an order: who, when, what, and when sent."""

    order = models.ForeignKey(
        DiagnosticOrder, on_delete=models.CASCADE, related_name="specimens"
    )
    specimen_type = models.CharField(
        _("specimen type"), max_length=16, choices=SpecimenType.choices
    )
    collected_at = models.DateTimeField(_("collected"))
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collected by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent to lab"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["collected_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "specimen_type"], name="specimen_one_per_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.accession} {self.get_specimen_type_display()}"


class Hl7Message(models.Model):
    """One received HL7 v2 message, its outcome and the ACK sent back."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ERROR = "error", _("Error")
        REJECTED = "rejected", _("Rejected")
        RESOLVED = "resolved", _("Set aside")

    raw = models.TextField(_("message"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    control_id = models.CharField(_("message control id"), max_length=50, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, db_index=True
    )
    error = models.TextField(_("error"), blank=True)
    ack_code = models.CharField(_("ACK code"), max_length=2)
    ack = models.TextField(_("ACK"), blank=True)
    accession = models.CharField(_("accession"), max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    processed_at = models.DateTimeField(_("processed"), default=timezone.now)
    # "MSH-4|MSH-10" of the message's first receipt: the same message sent again
    # is answered with this row's ACK, never stored twice. Empty (NULL) without a
    # control id, and on copies stored before receipts were de-duplicated.
    receipt_key = models.CharField(
        _("sending facility and control id"),
        max_length=240,
        null=True,
        blank=True,
        unique=True,
        editable=False,
    )
    upload = models.ForeignKey(
        "Hl7Upload",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("HL7 message")
        permissions = [("import_hl7", "Can import and re-process HL7 messages")]

    def __str__(self) -> str:
        return f"HL7 {self.control_id or self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("diagnostics:hl7-detail", args=[self.pk])


class Hl7Upload(models.Model):
    """A file of HL7 messages uploaded on the page, imported by a background job
    (queue ``default``) that reports its progress here; the file's text is kept
    with it (not in its history: each message's own row keeps the message)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file_name = models.CharField(_("file"), max_length=200)
    text = models.TextField(_("content"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total_messages = models.PositiveIntegerField(_("messages"), default=0)
    done_messages = models.PositiveIntegerField(_("messages read"), default=0)
    applied_messages = models.PositiveIntegerField(_("applied"), default=0)
    error_messages = models.PositiveIntegerField(_("in the error list"), default=0)
    duplicate_messages = models.PositiveIntegerField(_("already received"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        ordering = ["-id"]
        verbose_name = _("HL7 upload")

    def __str__(self) -> str:
        return f"HL7 upload {self.file_name} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("diagnostics:hl7-upload-detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_messages:
            return 0
        return min(99, int(self.done_messages * 100 / self.total_messages))


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
    hl7_message = models.ForeignKey(
        Hl7Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    observed_at = models.DateTimeField(_("observed"), null=True, blank=True)
    resulted_at = models.DateTimeField(_("resulted"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
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
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), default=timezone.now)
    action_taken = models.TextField(_("what was done"))
    value_seen = models.CharField(_("value acknowledged"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["acknowledged_at"]

    def __str__(self) -> str:
        return f"{self.observation} acknowledged by {self.acknowledged_by}"
