from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class TourProgress(models.Model):
    """How far one staff member got in one guided tour."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
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
