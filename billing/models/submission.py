"""837P submission batches, their control numbers and the clearinghouse's
acknowledgements."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from billing.models.fields import ZERO, money
from clinic.fields import staff_fk


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
    created_by = staff_fk()

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
