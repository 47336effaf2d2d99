"""Patients waiting for an earlier slot."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.fields import optional_fk, patient_fk, protected_fk
from scheduling.models.appointments import Appointment
from scheduling.models.resources import AppointmentType, Provider


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

    patient = patient_fk(verbose_name=None)
    appointment_type = protected_fk(AppointmentType)
    provider = optional_fk(Provider, _("preferred provider"))
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
    offered_appointment = optional_fk(Appointment, on_delete=models.SET_NULL)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = _("waitlist entries")

    def __str__(self) -> str:
        return f"{self.patient} waits for {self.appointment_type}"
