"""Bulk exports (FHIR Bulk Data Access 2.0): one row per ``$export`` kick-off."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.models import BackgroundRun


class BulkExport(BackgroundRun):
    """An asynchronous ``$export``: asked for by a SMART client, written by a job on
    the ``reports`` queue as one NDJSON file per resource type in the exports
    storage, and expired like report exports."""

    class Level(models.TextChoices):
        SYSTEM = "system", _("Whole clinic")
        PATIENT = "patient", _("All patients")
        GROUP = "group", _("One group")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    client = models.ForeignKey(
        "smart.BackendClient", on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    group_id = models.CharField(_("group"), max_length=64, blank=True)
    types = models.JSONField(_("resource types"), default=list)
    since = models.DateTimeField(_("changed since"), null=True, blank=True)
    request_url = models.CharField(_("request"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    total_resources = models.PositiveIntegerField(_("resources"), default=0)
    done_resources = models.PositiveIntegerField(_("resources written"), default=0)
    # [{"type": "Patient", "name": <stored file name>, "count": 120}, ...]
    files = models.JSONField(_("files"), default=list)
    error = models.TextField(_("error"), blank=True)
    transaction_time = models.DateTimeField(_("as of"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"$export {self.pk} ({self.level}) for {self.client_id}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_resources:
            return 0
        return min(99, self.done_resources * 100 // self.total_resources)
