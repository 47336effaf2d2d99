"""HL7 v2 messages received and the uploaded files they came in."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.fields import optional_fk, staff_fk
from clinic.models import FileUpload


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
    received_by = staff_fk()
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
    upload = optional_fk("Hl7Upload", related_name="messages")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("HL7 message")
        permissions = [("import_hl7", "Can import and re-process HL7 messages")]

    def __str__(self) -> str:
        return f"HL7 {self.control_id or self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("diagnostics:hl7-detail", args=[self.pk])


class Hl7Upload(FileUpload):
    """A file of HL7 messages uploaded on the page, imported by a background job
    (queue ``default``) that reports its progress here; the file's text is kept
    with it (not in its history: each message's own row keeps the message)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total_messages = models.PositiveIntegerField(_("messages"), default=0)
    done_messages = models.PositiveIntegerField(_("messages read"), default=0)
    applied_messages = models.PositiveIntegerField(_("applied"), default=0)
    error_messages = models.PositiveIntegerField(_("in the error list"), default=0)
    duplicate_messages = models.PositiveIntegerField(_("already received"), default=0)
    error = models.TextField(_("error"), blank=True)

    progress_fields = ("done_messages", "total_messages")

    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        ordering = ["-id"]
        verbose_name = _("HL7 upload")

    def __str__(self) -> str:
        return f"HL7 upload {self.file_name} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("diagnostics:hl7-upload-detail", args=[self.pk])
