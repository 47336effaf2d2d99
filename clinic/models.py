import hashlib
import hmac
from datetime import UTC

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history import register
from simple_history.models import HistoricalRecords

from clinic.fields import optional_fk, staff_fk

# Staff accounts keep history too (role changes, deactivation); never the password.
register(
    get_user_model(),
    app="clinic",
    excluded_fields=["password", "last_login"],
)

# Two-factor devices (django-otp) keep history of enrolment and reset, never their
# secrets; the counters every verification updates are left out, and
# clinic.two_factor saves them without a history row (as the log-in time).
_OTP_COUNTERS = [
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "last_used_at",
]
register(
    TOTPDevice, app="clinic", excluded_fields=["key", "last_t", "drift", *_OTP_COUNTERS]
)
register(StaticDevice, app="clinic", excluded_fields=_OTP_COUNTERS)
register(StaticToken, app="clinic", excluded_fields=["token"])


class Recorded(models.Model):
    """Who put a row on the patient's record, and when (set once, as it is added)."""

    recorded_by = staff_fk(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        abstract = True


class StaffProfile(models.Model):
    """What the clinic knows about a staff account beyond Django's user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="profile"
    )
    role = models.CharField(_("role"), max_length=32, blank=True)
    default_location = optional_fk("scheduling.Location", _("default location"))
    must_change_password = models.BooleanField(
        _("must change password at next log-in"), default=False
    )

    history = HistoricalRecords()

    class Meta:
        permissions = [
            ("manage_staff", "Can manage staff accounts and roles"),
        ]

    def __str__(self) -> str:
        return self.user.get_username()


class AccessLog(models.Model):
    """One look at a patient's data. Append-only, chained by HMAC-SHA-256 under
    ``ACCESS_LOG_HMAC_KEY``, a key kept outside the database: whoever can write the
    table still cannot forge a row that verifies.

    The table is its own history: rows never change (the app's role may only insert
    and PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE), so it carries no
    HistoricalRecords.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        EXPORT = "export", _("Exported")
        PRINT = "print", _("Printed")
        DOWNLOAD = "download", _("Downloaded")

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = staff_fk(blank=False)
    username = models.CharField(_("user name"), max_length=150)
    patient = optional_fk("registration.Patient")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    what = models.CharField(_("what"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["patient", "created_at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.object_type}#{self.object_id}"

    def content_for_hash(self) -> str:
        parts = [
            self.prev_hash,
            self.created_at.astimezone(UTC).isoformat(),
            str(self.user_id or ""),
            self.username,
            str(self.patient_id or ""),
            self.action,
            self.object_type,
            self.object_id,
            self.what,
            self.ip_address or "",
            self.user_agent,
        ]
        return "\x1f".join(parts)

    @staticmethod
    def keyed_hmac():
        """An HMAC-SHA-256 under the log's key, fed nothing yet (``copy()`` it to
        hash many rows without keying each)."""
        return hmac.new(settings.ACCESS_LOG_HMAC_KEY.encode(), digestmod=hashlib.sha256)

    def compute_hash(self) -> str:
        mac = self.keyed_hmac()
        mac.update(self.content_for_hash().encode())
        return mac.hexdigest()


class BackgroundRun(models.Model):
    """What ``clinic.heartbeat`` keeps of a long background run (an export, an
    upload being read): when it started, its last sign of life, how many tries,
    when it finished. Each run adds its own status and counts."""

    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # Stamped every few seconds while a worker runs it (clinic.heartbeat).
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    progress_fields = ("", "")  # the subclass's done and total counts

    class Meta:
        abstract = True

    @property
    def percent(self) -> int:
        """Progress for the page's bar: 100 once done, else at most 99."""
        if self.status == "done":
            return 100
        done, total = (getattr(self, name) for name in self.progress_fields)
        if not total:
            return 0
        return min(99, int(done * 100 / total))


class FileUpload(BackgroundRun):
    """A file uploaded on a page and read by a background job that reports its
    progress (``progress_fields``: the done and total counts of the subclass). The
    file's text is kept with it, not in its history."""

    file_name = models.CharField(_("file"), max_length=200)
    text = models.TextField(_("content"))
    uploaded_by = staff_fk(required=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        abstract = True


class ReportExport(BackgroundRun):
    """A compliance report exported to a file by a background job.

    The file is kept for a limited time and only its requester may download it.
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    requested_by = staff_fk(required=True)
    report = models.CharField(_("report"), max_length=40)
    filters = models.JSONField(_("filters"), default=dict)
    filters_text = models.CharField(_("filters"), max_length=300, blank=True)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    done_rows = models.PositiveIntegerField(_("rows written"), default=0)
    sha256 = models.CharField(_("SHA-256 of the rows"), max_length=64, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)

    history = HistoricalRecords()

    progress_fields = ("done_rows", "total_rows")

    class Meta:
        ordering = ["-id"]
        permissions = [("view_reports", "Can see compliance reports and export them")]

    def __str__(self) -> str:
        return f"{self.report} ({self.format}) #{self.pk}"


class WeeklySummary(models.Model):
    """The administrators' weekly summary e-mail: sent once per week."""

    week_start = models.DateField(_("week starting"), unique=True)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    recipients = models.TextField(_("recipients"), blank=True)
    body = models.TextField(_("body"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return f"Weekly summary for {self.week_start}"
