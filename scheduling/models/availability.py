"""When providers work: weekly hours and their exceptions."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.constraints import in_order
from clinic.fields import optional_fk
from scheduling.models.resources import Location, Provider


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
            in_order("start_time", "end_time", name="scheduling_rule_ends_after_start")
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

    provider = optional_fk(
        Provider, on_delete=models.CASCADE, related_name="availability_exceptions"
    )
    location = optional_fk(Location, help_text=_("Where an extra session takes place."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start"]
        constraints = [
            in_order("start", "end", name="scheduling_exception_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(kind="extra")
                | (Q(provider__isnull=False) & Q(location__isnull=False)),
                name="scheduling_extra_session_has_provider_and_location",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d %H:%M}"
