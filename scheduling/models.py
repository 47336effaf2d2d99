from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
