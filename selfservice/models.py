"""The intake form a new patient fills in before a first visit (the link comes
with the booking's welcome text): what they wrote is a proposed change, kept
here, never written into the record until the front desk accepts it field by
field (``selfservice.services.intake``)."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.fields import patient_fk, when_and_who
from registration.models import card_upload_to
from registration.validators import validate_card_image


def _card_field(label):
    # The coverage's own card path: random names, content-checked images or PDFs.
    return models.FileField(
        label, upload_to=card_upload_to, blank=True, validators=[validate_card_image]
    )


class Intake(models.Model):
    """What a new patient sent through the intake link of a first visit (once per
    visit), reviewed item by item."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, to review")
        REVIEWED = "reviewed", _("Reviewed")

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    patient = patient_fk("intakes", on_delete=models.CASCADE)
    appointment = models.OneToOneField(
        "scheduling.Appointment",
        verbose_name=_("first visit"),
        on_delete=models.CASCADE,
        related_name="intake",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.RECEIVED,
        db_index=True,
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    # What the patient wrote, by item (selfservice.intake_items): never the record.
    proposed = models.JSONField(_("proposed values"), default=dict, blank=True)
    card_front = _card_field(_("card front"))
    card_back = _card_field(_("card back"))
    # Item key → accepted | declined; who decided is in the history.
    decisions = models.JSONField(_("decisions"), default=dict, blank=True)
    reviewed_at, reviewed_by = when_and_who(_("reviewed"), _("reviewed by"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"Intake for visit {self.appointment_id} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("selfservice:intake-review", args=[self.pk])
