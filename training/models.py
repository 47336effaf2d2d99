from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.fields import staff_fk


class TourProgress(models.Model):
    """How far one staff member got in one guided tour."""

    user = staff_fk(required=True, on_delete=models.CASCADE)
    tour = models.CharField(_("tour"), max_length=40)
    step = models.PositiveSmallIntegerField(_("last step seen"), default=0)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "tour"], name="tour_progress_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.tour} · step {self.step}"


class PracticeMessage(models.Model):
    """A text or e-mail the practice clinic kept instead of sending it."""

    class Channel(models.TextChoices):
        SMS = "sms", _("Text (SMS)")
        EMAIL = "email", _("E-mail")

    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("message"))
    kept_at = models.DateTimeField(_("kept at"), default=timezone.now, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-kept_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.to}"
