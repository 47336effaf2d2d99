"""Orders, the tests on them, their specimens."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.fields import optional_fk, patient_fk, staff_fk, when_and_who
from diagnostics.models.catalogue import (
    ICD10CM_SHAPE,
    Panel,
    SpecimenType,
    TestDefinition,
)


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

    patient = patient_fk(related_name="diagnostic_orders")
    accession = models.CharField(_("accession number"), max_length=20, unique=True)
    ordering_clinician = staff_fk(
        _("ordering clinician"), required=True, related_name="diagnostic_orders"
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
    reviewed_at, reviewed_by = when_and_who(_("reviewed"), _("reviewed by"))
    review_note = models.TextField(_("review note"), blank=True)
    cancelled_at, cancelled_by = when_and_who(_("cancelled"))
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
    panel = optional_fk(Panel, related_name=None)

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
    collected_by = staff_fk(_("collected by"))
    sent_at, sent_by = when_and_who(_("sent to lab"))

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
