"""Appointments, their series, and the statuses that hold a slot."""

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.constraints import in_order
from clinic.fields import optional_fk, patient_fk, protected_fk, staff_fk, when_and_who
from scheduling.constraints import no_overlap
from scheduling.models.resources import (
    MAX_VISIT_MINUTES,
    AppointmentType,
    Location,
    Provider,
    Room,
)


class AppointmentSeries(models.Model):
    """A recurring booking (weekly infusion × 8): the occurrences are Appointments."""

    patient = patient_fk(verbose_name=None)
    appointment_type = protected_fk(AppointmentType)
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


# Statuses that hold the provider's and the room's time.
ACTIVE_STATUSES = ["scheduled", "confirmed", "arrived", "in_room", "completed"]

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

    ACTIVE_STATUSES = ACTIVE_STATUSES
    UPCOMING_STATUSES = UPCOMING_STATUSES

    patient = patient_fk("appointments")
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="appointments"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    room = optional_fk(Room, related_name="appointments")
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="appointments"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED
    )
    series = optional_fk(AppointmentSeries, related_name="appointments")
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
    booked_by = staff_fk()
    # Stamps of each status change: when and by whom (None: the system).
    confirmed_at, confirmed_by = when_and_who()
    arrived_at, arrived_by = when_and_who()
    in_room_at, in_room_by = when_and_who()
    completed_at, completed_by = when_and_who()
    cancelled_at, cancelled_by = when_and_who()
    no_show_at, no_show_by = when_and_who()
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
            in_order("start", "end", name="scheduling_appointment_ends_after_start"),
            no_overlap(
                name="scheduling_no_provider_overlap",
                column="provider",
                condition=Q(status__in=ACTIVE_STATUSES) & Q(is_double_booked=False),
            ),
            no_overlap(
                name="scheduling_no_room_overlap",
                column="room",
                condition=Q(status__in=ACTIVE_STATUSES) & Q(room__isnull=False),
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
