import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from scheduling.constraints import PostgresExclusionConstraint, half_open_range
from scheduling.validators import validate_npi

# No visit is longer than this; overlap queries use it as a lower bound on ``start``
# so that they read an index range instead of every earlier visit.
MAX_VISIT_MINUTES = 12 * 60


class Location(models.Model):
    """A place where the clinic works: a clinic floor, the infusion unit, the lab."""

    class Kind(models.TextChoices):
        CLINIC = "clinic", _("Outpatient clinic")
        INFUSION = "infusion", _("Infusion / short-stay unit")
        LAB = "lab", _("Laboratory")
        OFFICE = "office", _("Office")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Colour(models.TextChoices):
    """Colours of the day view (CSS classes ``appt-<colour>``, no inline style)."""

    BLUE = "blue", _("Blue")
    GREEN = "green", _("Green")
    ORANGE = "orange", _("Orange")
    PURPLE = "purple", _("Purple")
    TEAL = "teal", _("Teal")
    RED = "red", _("Red")
    GREY = "grey", _("Grey")


class Provider(models.Model):
    """A person whose time is booked: physician, nurse practitioner, infusion nurse."""

    name = models.CharField(_("name"), max_length=120)
    credentials = models.CharField(_("credentials"), max_length=40, blank=True)
    npi = models.CharField(
        _("NPI"), max_length=10, unique=True, validators=[validate_npi]
    )
    specialty = models.CharField(_("specialty"), max_length=80, blank=True)
    taxonomy_code = models.CharField(_("taxonomy code"), max_length=10, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="provider",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The secret part of the provider's calendar-feed URL; blank: no feed.
    feed_token = models.CharField(max_length=64, blank=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @staticmethod
    def new_feed_token() -> str:
        return secrets.token_urlsafe(32)


class Room(models.Model):
    """A room or a piece of equipment that a visit occupies (exam room, infusion
    chair, ultrasound machine)."""

    class Kind(models.TextChoices):
        EXAM = "exam", _("Exam room")
        PROCEDURE = "procedure", _("Procedure room")
        INFUSION_CHAIR = "infusion_chair", _("Infusion chair")
        ULTRASOUND = "ultrasound", _("Ultrasound machine")
        LAB_DRAW = "lab_draw", _("Phlebotomy chair")

    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        related_name="rooms",
    )
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["location__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "name"], name="scheduling_room_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AppointmentType(models.Model):
    """What is booked: how long it takes, which room it needs, who may do it."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(5), MaxValueValidator(MAX_VISIT_MINUTES)],
    )
    colour = models.CharField(
        _("colour"), max_length=10, choices=Colour.choices, default=Colour.BLUE
    )
    room_kind = models.CharField(
        _("room needed"), max_length=20, choices=Room.Kind.choices, blank=True
    )
    billing_code = models.CharField(
        _("default billing code"), max_length=10, blank=True
    )
    providers = models.ManyToManyField(
        Provider,
        verbose_name=_("allowed providers"),
        blank=True,
        related_name="appointment_types",
        help_text=_("Leave empty to allow every provider."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(m2m_fields=[providers])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AvailabilityRule(models.Model):
    """A weekly template: this provider works here on this weekday, from/to (clinic
    wall-clock time, so 08:00 stays 08:00 across daylight-saving changes)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="availability_rules"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["provider", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="scheduling_rule_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.provider} {self.get_weekday_display()} "
            f"{self.start_time:%H:%M}-{self.end_time:%H:%M}"
        )


class AvailabilityException(models.Model):
    """A change to the weekly templates: time off (vacation, holiday, blocked) or an
    extra session. Without a provider it applies to every provider (a holiday)."""

    class Kind(models.TextChoices):
        VACATION = "vacation", _("Vacation")
        HOLIDAY = "holiday", _("Holiday")
        BLOCKED = "blocked", _("Blocked time")
        EXTRA = "extra", _("Extra session")

    provider = models.ForeignKey(
        Provider,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="availability_exceptions",
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Where an extra session takes place."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="scheduling_exception_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(kind="extra")
                | (Q(provider__isnull=False) & Q(location__isnull=False)),
                name="scheduling_extra_session_has_provider_and_location",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d %H:%M}"


class AppointmentSeries(models.Model):
    """A recurring booking (weekly infusion × 8): the occurrences are Appointments."""

    patient = models.ForeignKey(
        "registration.Patient", on_delete=models.PROTECT, related_name="+"
    )
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="+"
    )
    interval_weeks = models.PositiveSmallIntegerField(_("every N weeks"), default=1)
    count = models.PositiveSmallIntegerField(_("occurrences"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("appointment series")

    def __str__(self) -> str:
        return f"{self.appointment_type} × {self.count}"


class AppointmentQuerySet(models.QuerySet):
    def overlapping(self, start, end):
        """Visits whose [start, end) overlaps [start, end)."""
        return self.filter(
            start__lt=end,
            end__gt=start,
            start__gt=start - timedelta(minutes=MAX_VISIT_MINUTES),
        )


# A visit still expected: booked, not yet checked in. Reminders, confirmations,
# moves and the no-show sweeper ask ``Appointment.UPCOMING_STATUSES`` (one home).
UPCOMING_STATUSES = ["scheduled", "confirmed"]


class Appointment(models.Model):
    """A visit: one patient, one provider, maybe one room, for a span of time."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CONFIRMED = "confirmed", _("Confirmed")
        ARRIVED = "arrived", _("Arrived")
        IN_ROOM = "in_room", _("In room")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    class Eligibility(models.TextChoices):
        UNCHECKED = "", _("Not checked")
        VERIFIED = "verified", _("Verified")
        FAILED = "failed", _("Failed")

    # Statuses that hold the provider's and the room's time.
    ACTIVE_STATUSES = ["scheduled", "confirmed", "arrived", "in_room", "completed"]
    UPCOMING_STATUSES = UPCOMING_STATUSES

    patient = models.ForeignKey(
        "registration.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="appointments"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(
        Room,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="appointments"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED
    )
    series = models.ForeignKey(
        AppointmentSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    series_index = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    # A double booking (provider already busy) or a patient overlap, allowed with a
    # reason by someone holding the permission.
    is_double_booked = models.BooleanField(_("double-booked"), default=False)
    override_reason = models.CharField(_("override reason"), max_length=200, blank=True)
    cancel_reason = models.CharField(
        _("cancellation reason"), max_length=200, blank=True
    )
    booked_at = models.DateTimeField(default=timezone.now, editable=False)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Stamps of each status change: when and by whom (None: the system).
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    arrived_at = models.DateTimeField(null=True, blank=True)
    arrived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    in_room_at = models.DateTimeField(null=True, blank=True)
    in_room_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    no_show_at = models.DateTimeField(null=True, blank=True)
    no_show_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Why the last status change was made outside the visit's time, or undone.
    status_reason = models.CharField(
        _("reason for the status change"), max_length=200, blank=True
    )
    # A no-show taken back: the sweeper leaves the visit alone from then on.
    no_show_undone_at = models.DateTimeField(null=True, blank=True)
    copay_due = models.DecimalField(
        _("copay due"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    copay_collected = models.DecimalField(
        _("copay collected"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    eligibility_status = models.CharField(
        max_length=10, choices=Eligibility.choices, blank=True, default=""
    )
    eligibility_checked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        permissions = [
            ("double_book_appointment", "Can double-book with a reason"),
            ("view_scheduling_metrics", "Can see the clinic's scheduling metrics"),
            (
                "override_visit_window",
                "Can check in, complete or mark a no-show outside the visit's time",
            ),
        ]
        indexes = [
            models.Index(fields=["start"], name="scheduling_appt_start"),
            models.Index(
                fields=["provider", "start"], name="scheduling_appt_prov_start"
            ),
            models.Index(fields=["patient", "start"], name="scheduling_appt_pat_start"),
            # Visits still waiting for check-in: what the no-show sweeper reads.
            models.Index(
                fields=["start"],
                condition=Q(status__in=UPCOMING_STATUSES),
                name="scheduling_appt_open_start",
            ),
            # Each patient's no-shows, counted for every chip of the day view: without
            # it the count reads all of a patient's visits (90 ms of a 800-visit day).
            models.Index(
                fields=["patient"],
                condition=Q(status="no_show"),
                name="scheduling_appt_noshow_pat",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="scheduling_appointment_ends_after_start",
            ),
            PostgresExclusionConstraint(
                name="scheduling_no_provider_overlap",
                expressions=[
                    (half_open_range("start", "end"), RangeOperators.OVERLAPS),
                    ("provider", RangeOperators.EQUAL),
                ],
                condition=Q(
                    status__in=[
                        "scheduled",
                        "confirmed",
                        "arrived",
                        "in_room",
                        "completed",
                    ]
                )
                & Q(is_double_booked=False),
            ),
            PostgresExclusionConstraint(
                name="scheduling_no_room_overlap",
                expressions=[
                    (half_open_range("start", "end"), RangeOperators.OVERLAPS),
                    ("room", RangeOperators.EQUAL),
                ],
                condition=Q(
                    status__in=[
                        "scheduled",
                        "confirmed",
                        "arrived",
                        "in_room",
                        "completed",
                    ]
                )
                & Q(room__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type} {self.start:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("scheduling:appointment-detail", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


class WaitlistEntry(models.Model):
    """A patient who would take an earlier slot: what, with whom, when it suits."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered")
        BOOKED = "booked", _("Booked")
        REMOVED = "removed", _("Removed")

    class PartOfDay(models.TextChoices):
        ANY = "", _("Any time")
        MORNING = "morning", _("Morning")
        AFTERNOON = "afternoon", _("Afternoon")

    patient = models.ForeignKey(
        "registration.Patient", on_delete=models.PROTECT, related_name="+"
    )
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("preferred provider"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Weekdays that suit, as digits 0 (Monday) to 6; blank: any day.
    weekdays = models.CharField(_("days that suit"), max_length=7, blank=True)
    part_of_day = models.CharField(
        _("time that suits"), max_length=10, choices=PartOfDay.choices, blank=True
    )
    until = models.DateField(_("waiting until"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.WAITING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    offered_appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = _("waitlist entries")

    def __str__(self) -> str:
        return f"{self.patient} waits for {self.appointment_type}"
