from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class StaffAlert(models.Model):
    """Something that needs a person: a task or an alert, for a role or a user.

    ``kind`` names an entry of ``alerts.kinds.KINDS`` (which says how urgent it is and
    where it escalates). ``key`` makes an alert idempotent: while one with the same key
    is not resolved, raising it again returns the existing one.
    """

    class Priority(models.IntegerChoices):
        LOW = 10, _("Low")
        NORMAL = 20, _("Normal")
        HIGH = 30, _("High")
        URGENT = 40, _("Urgent")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    title = models.CharField(_("title"), max_length=200)
    message = models.TextField(_("message"), blank=True)
    patient = models.ForeignKey(
        "registration.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_alerts",
    )
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    assigned_role = models.CharField(_("for role"), max_length=32, blank=True)
    assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("for user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    key = models.CharField(_("key"), max_length=120, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised"), default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-priority", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=~Q(key="") & ~Q(status="resolved"),
                name="staffalert_one_unresolved_per_key",
            ),
            models.CheckConstraint(
                condition=~Q(assigned_role="") | Q(assigned_user__isnull=False),
                name="staffalert_assigned",
            ),
        ]
        indexes = [
            models.Index(
                fields=["assigned_role", "status"], name="staffalert_role_status"
            ),
            models.Index(
                fields=["assigned_user", "status"], name="staffalert_user_status"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.RESOLVED

    def subject_label(self) -> str:
        return (
            f"{self.subject_type.model} #{self.subject_id}" if self.subject_type else ""
        )


class InboundMessage(models.Model):
    """A text a patient sent us, and what the clinic did with it."""

    class Action(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed the next appointment")
        CALLBACK = "callback", _("Asked for a call back")
        OPTED_OUT = "opted_out", _("Opted out of texts")
        OPTED_IN = "opted_in", _("Opted back in to texts")
        TASK = "task", _("Passed to staff")
        OFFER_ACCEPTED = "offer_accepted", _("Took an offered slot")
        OFFER_TAKEN = "offer_taken", _("Offered slot already taken")

    provider_id = models.CharField(_("message SID"), max_length=64, unique=True)
    from_number = models.CharField(_("from"), max_length=32)
    to_number = models.CharField(_("to"), max_length=32, blank=True)
    body = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    patient = models.ForeignKey(
        "registration.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )
    action = models.CharField(_("what happened"), max_length=20, choices=Action.choices)
    reply = models.TextField(_("our answer"), blank=True)
    alert = models.ForeignKey(
        StaffAlert, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.from_number}: {self.body[:40]}"
