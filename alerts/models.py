from datetime import time

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.fields import (
    optional_fk,
    patient_fk,
    protected_fk,
    staff_fk,
    visit_fk,
    when_and_who,
)
from clinic.languages import language_name


class Channel(models.TextChoices):
    """How a message goes out: a reminder rule's, and each message's it writes."""

    SMS = "sms", _("Text message")
    EMAIL = "email", _("E-mail")


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
    patient = optional_fk(
        "registration.Patient", _("patient"), related_name="staff_alerts"
    )
    subject_type = optional_fk(ContentType)
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    assigned_role = models.CharField(_("for role"), max_length=32, blank=True)
    assigned_user = staff_fk(_("for user"))
    key = models.CharField(_("key"), max_length=120, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised"), default=timezone.now, db_index=True)
    acknowledged_at, acknowledged_by = when_and_who(_("acknowledged"))
    resolved_at, resolved_by = when_and_who(_("resolved"))
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
        ASKED_WHICH = "asked_which", _("Asked which visit was meant")
        CANCELLED = "cancelled", _("Cancelled a visit")

    provider_id = models.CharField(_("message SID"), max_length=64, unique=True)
    from_number = models.CharField(_("from"), max_length=32)
    to_number = models.CharField(_("to"), max_length=32, blank=True)
    body = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    patient = optional_fk(
        "registration.Patient", _("patient"), related_name="inbound_messages"
    )
    action = models.CharField(_("what happened"), max_length=20, choices=Action.choices)
    reply = models.TextField(_("our answer"), blank=True)
    alert = optional_fk(StaffAlert)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.from_number}: {self.body[:40]}"


class ReminderRule(models.Model):
    """The message of a reminder: its text, channel and quiet hours.

    ``body`` is the default text (the clinic's language); ``variants`` hold it in
    other languages. A send never falls inside the quiet hours (local time; see
    ``alerts.quiet_hours.send_time``). When it fires, whether it is on and which
    visits it serves belong to the automation that sends it
    (``automations.Action.message_rule``, ``automations.reminders``).
    """

    Channel = Channel

    name = models.CharField(_("name"), max_length=120, unique=True)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.SMS
    )
    subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    quiet_start = models.TimeField(_("quiet from"), default=time(21, 0))
    quiet_end = models.TimeField(_("quiet until"), default=time(8, 0))
    email_fallback = models.BooleanField(
        _("e-mail when a text is not allowed"), default=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        """On while an enabled automation sends it (the automation owns on/off)."""
        return self.automation_actions.filter(automation__enabled=True).exists()


class ReminderVariant(models.Model):
    """A rule's text in one language (``es``, ``pt-BR``...)."""

    rule = models.ForeignKey(
        ReminderRule, on_delete=models.CASCADE, related_name="variants"
    )
    language = models.CharField(_("language"), max_length=35)
    subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "language"], name="remindervariant_one_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} ({self.language})"


class Notification(models.Model):
    """One message to a patient: the outbox row, written with its cause.

    pending → sending → sent → delivered | failed | undeliverable; or cancelled
    (the visit moved or was cancelled) or skipped (no consent and no e-mail: the
    reason is in ``last_error``). A reminder exists once per appointment, rule and
    appointment start (database constraint).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        UNDELIVERABLE = "undeliverable", _("Undeliverable")
        CANCELLED = "cancelled", _("Cancelled")
        SKIPPED = "skipped", _("Skipped")

    Channel = Channel

    FINAL_STATUSES = ["delivered", "failed", "undeliverable", "cancelled", "skipped"]
    RESENDABLE_STATUSES = ["failed", "undeliverable", "skipped"]

    patient = patient_fk("notifications")
    # Set when the message goes to one of the patient's contacts (a parent, a
    # proxy) rather than to the patient; ``purpose`` names the contact's
    # permission it needs (registration's ``PatientContact.Permission``).
    contact = optional_fk(
        "registration.PatientContact", _("contact"), related_name="notifications"
    )
    purpose = models.CharField(_("purpose"), max_length=16, blank=True)
    # A reminder that went out inside another one's text (one text per number and
    # day): the row whose text named this visit too.
    grouped_into = optional_fk("self", _("sent in the text of"), related_name="grouped")
    appointment = optional_fk(
        "scheduling.Appointment", _("appointment"), related_name="notifications"
    )
    appointment_start = models.DateTimeField(null=True, blank=True, editable=False)
    rule = optional_fk(ReminderRule, _("rule"), related_name="notifications")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("to"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    # The language the text was written in, wholly (words, dates and times): a
    # variant's code ("es", "pt-BR") or the clinic's for a text without variants.
    language = models.CharField(_("language"), max_length=35, blank=True)
    email_fallback = models.BooleanField(default=True)
    scheduled_for = models.DateTimeField(_("scheduled for"))
    # When the sender may next take it (scheduled_for, later after a failed try).
    due_at = models.DateTimeField(_("next try"), db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    provider_message_id = models.CharField(
        _("provider id"), max_length=64, blank=True, db_index=True
    )
    provider_status = models.CharField(_("provider status"), max_length=20, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = staff_fk()
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    resent_from = optional_fk("self", related_name="resends")
    resend_reason = models.CharField(_("resend reason"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "rule", "appointment_start"],
                condition=Q(
                    rule__isnull=False,
                    appointment__isnull=False,
                    contact__isnull=True,
                ),
                name="notification_one_reminder_per_visit_time",
            ),
            models.UniqueConstraint(
                fields=["appointment", "rule", "appointment_start", "contact"],
                condition=Q(
                    rule__isnull=False,
                    appointment__isnull=False,
                    contact__isnull=False,
                ),
                name="notification_one_contact_reminder_per_visit_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="notification_due"),
            models.Index(
                fields=["patient", "-created_at"], name="notification_patient"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_channel_display()} to {self.address or '?'}: {self.body[:40]}"
        )

    def get_language_display(self) -> str:
        """The language's name ("Spanish"), "" when not recorded (older rows)."""
        return language_name(self.language.split("-")[0]) if self.language else ""


class WaitlistOffer(models.Model):
    """A freed slot offered by text to a waitlisted patient. The first YES among
    the offers for one slot books it (``alerts.offers``)."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        TAKEN = "taken", _("Taken by someone else")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    freed_appointment = visit_fk(verbose_name=_("freed visit"))
    entry = protected_fk("scheduling.WaitlistEntry")
    patient = patient_fk(verbose_name=None)
    notification = optional_fk(Notification)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OFFERED
    )
    booked_appointment = optional_fk("scheduling.Appointment")
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["freed_appointment", "entry"], name="waitlistoffer_once"
            ),
            models.UniqueConstraint(
                fields=["freed_appointment"],
                condition=Q(status="accepted"),
                name="waitlistoffer_one_winner",
            ),
        ]

    def __str__(self) -> str:
        return f"Offer to {self.patient} ({self.status})"


class AddressConsent(models.Model):
    """Whether an address (a mobile number, an e-mail address) may get messages,
    and where that came from. Consent belongs to the address, not to a person:
    Twilio's STOP is per number, and one parent's phone may serve three children.
    The history keeps every change with its source."""

    class State(models.TextChoices):
        OPTED_IN = "in", _("May get messages")
        OPTED_OUT = "out", _("Opted out")

    class Source(models.TextChoices):
        REGISTRATION = "registration", _("Registration form")
        REPLY = "reply", _("STOP/START reply")
        CARRIER = "carrier", _("Carrier (unsubscribed number)")
        FRONT_DESK = "front_desk", _("Front desk")
        INTAKE = "intake", _("Intake form")
        MIGRATION = "migration", _("Moved from the patient record")

    state = models.CharField(_("state"), max_length=3, choices=State.choices)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    how = models.CharField(_("how"), max_length=300, blank=True)
    changed_by = staff_fk(_("recorded by"))
    changed_at = models.DateTimeField(_("since"), default=timezone.now)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.key}: {self.get_state_display()}"

    @property
    def allowed(self) -> bool:
        return self.state == self.State.OPTED_IN


class NumberConsent(AddressConsent):
    """A mobile number's consent to texts (E.164, as the phone fields store it)."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    key = property(lambda self: self.number)

    class Meta:
        ordering = ["number"]


class EmailConsent(AddressConsent):
    """An e-mail address's opt-out (an address may be written to until it opts
    out); kept lower-cased."""

    address = models.CharField(_("e-mail"), max_length=254, unique=True)
    key = property(lambda self: self.address)

    class Meta:
        ordering = ["address"]
