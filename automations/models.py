"""Automations: a trigger, conditions on the event's facts and ordered actions.

The engine (``automations.engine``) turns each published ``Event`` into at most one
``AutomationRun`` per automation (a unique constraint), runs the actions in order and
records each one's outcome; a wait is a ``ScheduledWait`` row that the sweeper fires
when due, so it survives restarts and a Redis outage.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.fields import optional_fk, patient_fk, staff_fk


class Trigger(models.TextChoices):
    PATIENT_REGISTERED = "patient.registered", _("Patient registered")
    APPOINTMENT_BOOKED = "appointment.booked", _("Appointment booked")
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled", _("Appointment rescheduled")
    APPOINTMENT_CANCELLED = "appointment.cancelled", _("Appointment cancelled")
    APPOINTMENT_CHECKED_IN = "appointment.checked_in", _("Patient checked in")
    APPOINTMENT_COMPLETED = "appointment.completed", _("Appointment completed")
    APPOINTMENT_NO_SHOW = "appointment.no_show", _("Appointment marked no-show")
    APPOINTMENT_TIME = "appointment.time", _("Time before / after an appointment")
    ELIGIBILITY_FAILED = "eligibility.failed", _("Insurance check failed")
    RESULT_RESULTED = "result.resulted", _("Result resulted")
    RESULT_CRITICAL = "result.critical", _("Critical result")
    RESULT_ACKNOWLEDGED = "result.acknowledged", _("Critical result acknowledged")
    DOSE_OVERDUE = "dose.overdue", _("Dose overdue")
    DOSE_GIVEN = "dose.given", _("Dose given")
    CLAIM_REJECTED = "claim.rejected", _("Claim rejected")
    CLAIM_DENIED = "claim.denied", _("Claim denied")
    PATIENT_REPLIED = "patient.replied", _("Patient replied by text")
    # Made by the care plans' sweeper (careplans.sweepers), once per due date.
    PLAN_ACTIVITY_DUE = "plan.activity_due", _("Care-plan activity due")
    PLAN_ACTIVITY_OVERDUE = "plan.activity_overdue", _("Care-plan activity overdue")
    PLAN_REVIEW_DUE = "plan.review_due", _("Care-plan review due")
    GOAL_MISSED = "goal.missed", _("Care-plan goal missed")
    # Made by the self-service pages (selfservice): the patient acted on a link;
    # "intake.missing" by its sweeper, once per first visit 48 h ahead.
    INTAKE_RECEIVED = "intake.received", _("Intake form received")
    INTAKE_MISSING = "intake.missing", _("No intake 48 h before a first visit")
    LINK_RESCHEDULED = "link.rescheduled", _("Patient moved a visit by link")
    LINK_CANCELLED = "link.cancelled", _("Patient cancelled a visit by link")
    DAILY = "schedule.daily", _("Daily schedule")


class Automation(models.Model):
    """A clinic routine an administrator switched on (or is still drafting)."""

    class Match(models.TextChoices):
        ALL = "all", _("all conditions hold")
        ANY = "any", _("any condition holds")

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    trigger = models.CharField(
        _("when"), max_length=40, choices=Trigger.choices, db_index=True
    )
    # Time relative to an appointment's start: negative is before, positive after.
    offset_minutes = models.IntegerField(
        _("minutes from the start"), null=True, blank=True
    )
    # Daily schedule: local time and weekdays (0 = Monday ... 6 = Sunday).
    run_at = models.TimeField(_("at"), null=True, blank=True)
    weekdays = models.CharField(_("on days"), max_length=7, blank=True, default="01234")
    match = models.CharField(
        _("run when"), max_length=3, choices=Match.choices, default=Match.ALL
    )
    enabled = models.BooleanField(_("on"), default=False, db_index=True)
    enabled_at = models.DateTimeField(_("switched on"), null=True, blank=True)
    # Empty for reminder rules migrated without a known author.
    owner = staff_fk(_("owner"))
    starter = models.SlugField(_("copied from starter"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        permissions = [("view_automation_metrics", "Can see automation metrics")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("automations:edit", args=[self.pk])

    @property
    def is_time_relative(self) -> bool:
        return self.trigger == Trigger.APPOINTMENT_TIME

    @property
    def is_daily(self) -> bool:
        return self.trigger == Trigger.DAILY


class Condition(models.Model):
    """One test on the event's facts; values are chosen from lists."""

    class Field(models.TextChoices):
        APPOINTMENT_TYPE = "appointment_type", _("Appointment type")
        PROVIDER = "provider", _("Provider")
        LOCATION = "location", _("Location")
        PAYER = "payer", _("Payer")
        AGE_BAND = "age_band", _("Age band")
        LANGUAGE = "language", _("Preferred language")
        FIRST_VISIT = "first_visit", _("First visit")
        DAYS_SINCE_LAST_VISIT = "days_since_last_visit", _("Days since last visit")
        RESULT_FLAG = "result_flag", _("Result flag")
        PROBLEM = "problem", _("Problem (ICD-10-CM category)")
        PLAN = "plan", _("Care plan (starter)")
        ACTIVITY = "activity", _("Care-plan activity (kind or test)")

    class Operator(models.TextChoices):
        IN = "in", _("is one of")
        NOT_IN = "not_in", _("is none of")
        AT_LEAST = "gte", _("at least")
        AT_MOST = "lte", _("at most")

    automation = models.ForeignKey(
        Automation, on_delete=models.CASCADE, related_name="conditions"
    )
    field = models.CharField(_("fact"), max_length=32, choices=Field.choices)
    operator = models.CharField(
        _("test"), max_length=8, choices=Operator.choices, default=Operator.IN
    )
    values = models.JSONField(_("values"), default=list, blank=True)
    number = models.IntegerField(_("number"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_field_display()} {self.get_operator_display()}"


class Action(models.Model):
    """One step of an automation, run in ``position`` order."""

    class Kind(models.TextChoices):
        SEND_MESSAGE = "send_message", _("Send an SMS or e-mail")
        CREATE_TASK = "create_task", _("Create a staff task")
        RAISE_ALERT = "raise_alert", _("Raise a staff alert")
        CHECK_ELIGIBILITY = "check_eligibility", _("Run an insurance check")
        ADD_TO_RECALL = "add_to_recall", _("Add to a recall list")
        WAIT = "wait", _("Wait")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    automation = models.ForeignKey(
        Automation, on_delete=models.CASCADE, related_name="actions"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("do"), max_length=20, choices=Kind.choices)
    # Task / alert
    role = models.CharField(_("for role"), max_length=32, blank=True)
    user = staff_fk(_("for user"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    due_in_minutes = models.PositiveIntegerField(
        _("due in (minutes)"), null=True, blank=True
    )
    # Message (title doubles as the e-mail subject)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, blank=True
    )
    body = models.TextField(_("text"), blank=True)
    # Recall
    recall_list = optional_fk("automations.RecallList", _("recall list"))
    recall_in_days = models.PositiveIntegerField(
        _("recall due in (days)"), null=True, blank=True
    )
    # A reminder's text, language variants and quiet hours (alerts.ReminderRule):
    # the outbox writes it with the booking, once per visit time.
    message_rule = optional_fk(
        "alerts.ReminderRule", _("reminder text"), related_name="automation_actions"
    )
    # Wait
    wait_minutes = models.PositiveIntegerField(
        _("wait (minutes)"), null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_kind_display()}"


class Event(models.Model):
    """Something that happened, published by a service in its own transaction.

    ``key`` makes made-up events (a time before an appointment, a day's schedule)
    unique; ``for_automation`` limits such an event to the automation it was made
    for. ``depth`` counts how many automation runs led to it (loop protection).
    """

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    # The log outlives a patient row removed by hand (the app itself merges, never
    # deletes): the event stays, with its facts.
    patient = optional_fk(
        "registration.Patient", _("patient"), on_delete=models.SET_NULL
    )
    subject_type = optional_fk(ContentType)
    subject_id = models.CharField(max_length=64, blank=True)
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    actor = staff_fk()
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0)
    key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    for_automation = optional_fk(Automation, on_delete=models.CASCADE)
    processed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(
                fields=["occurred_at"],
                condition=Q(processed_at__isnull=True),
                name="event_unprocessed",
            ),
            models.Index(fields=["kind", "occurred_at"], name="event_kind_when"),
            models.Index(fields=["subject_type", "subject_id"], name="event_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class AutomationRun(models.Model):
    """One automation acting on one event: at most once (unique pair)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        WAITING = "waiting", _("Waiting")
        RETRYING = "retrying", _("Retrying")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    automation = models.ForeignKey(
        Automation, on_delete=models.PROTECT, related_name="runs"
    )
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    next_position = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["automation", "event"], name="automationrun_once_per_event"
            )
        ]
        indexes = [
            models.Index(
                fields=["retry_at"],
                condition=Q(status="retrying"),
                name="automationrun_retry_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.automation} on {self.event}"

    def get_absolute_url(self) -> str:
        return reverse("automations:run-detail", args=[self.pk])


class ActionOutcome(models.Model):
    """What one action of a run did (or why not), with its attempts."""

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")
        RETRYING = "retrying", _("Will retry")

    run = models.ForeignKey(
        AutomationRun, on_delete=models.CASCADE, related_name="outcomes"
    )
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=Action.Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    detail = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    made_type = optional_fk(ContentType)
    made_id = models.CharField(max_length=64, blank=True)
    finished_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "position"], name="actionoutcome_once_per_step"
            )
        ]
        indexes = [models.Index(fields=["made_type", "made_id"], name="outcome_made")]

    def __str__(self) -> str:
        return f"{self.run_id}.{self.position} {self.kind}: {self.status}"


class ScheduledWait(models.Model):
    """A run paused until ``due_at``; fired once by a job or the sweeper."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        FIRED = "fired", _("Fired")
        CANCELLED = "cancelled", _("Cancelled")

    run = models.ForeignKey(
        AutomationRun, on_delete=models.CASCADE, related_name="waits"
    )
    position = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    fired_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "position"], name="scheduledwait_once_per_step"
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status="pending"),
                name="scheduledwait_pending_due",
            )
        ]

    def __str__(self) -> str:
        return f"wait of run {self.run_id} until {self.due_at:%Y-%m-%d %H:%M}"


class RecallList(models.Model):
    """Patients to call back in (e.g. annual visit due)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RecallEntry(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    recall_list = models.ForeignKey(
        RecallList, on_delete=models.PROTECT, related_name="entries"
    )
    patient = patient_fk(verbose_name=None)
    due_date = models.DateField(_("due"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    run = optional_fk(AutomationRun, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recall_list", "patient"],
                condition=Q(status="open"),
                name="recallentry_one_open_per_patient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} on {self.recall_list} by {self.due_date}"
