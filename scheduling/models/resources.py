"""Where and by whom visits happen: locations, providers, rooms, visit types."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.fields import protected_fk
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

    location = protected_fk(Location, _("location"), related_name="rooms")
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
