"""Payers, a patient's coverages and the eligibility checks asked of payers."""

import uuid
from pathlib import Path

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.constraints import in_order
from clinic.fields import patient_fk, protected_fk, staff_fk
from registration.models.patients import Patient
from registration.validators import (
    validate_card_image,
    validate_member_id,
)


class Payer(models.Model):
    """An insurer the clinic bills."""

    class FilingIndicator(models.TextChoices):
        # X12 claim filing indicator codes (837P SBR09) most clinics meet.
        COMMERCIAL = "CI", _("Commercial insurance")
        BLUE_CROSS = "BL", _("Blue Cross / Blue Shield")
        HMO = "HM", _("Health maintenance organisation")
        MEDICARE_B = "MB", _("Medicare Part B")
        MEDICAID = "MC", _("Medicaid")
        TRICARE = "CH", _("TRICARE (CHAMPUS)")
        VA = "VA", _("Veterans Affairs plan")
        WORKERS_COMP = "WC", _("Workers' compensation")
        SELF_PAY = "09", _("Self-pay")
        OTHER = "ZZ", _("Other / mutually defined")

    name = models.CharField(_("name"), max_length=120)
    payer_id = models.CharField(
        _("payer ID"),
        max_length=20,
        unique=True,
        help_text=_("The clearinghouse's identifier for this payer."),
    )
    claim_filing_indicator = models.CharField(
        _("claim filing indicator"),
        max_length=2,
        choices=FilingIndicator.choices,
        default=FilingIndicator.COMMERCIAL,
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def card_upload_to(instance, filename: str) -> str:
    """A random name for a card image: the sender's file name (often the
    patient's name) is not kept. The extension is the content's, set by
    ``validate_card_image``."""
    extension = Path(filename).suffix.lower()
    if extension not in (".jpg", ".png", ".pdf"):
        extension = ""
    return f"cards/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class Coverage(models.Model):
    """A patient's insurance plan with one payer, in an order of benefits."""

    class Priority(models.IntegerChoices):
        PRIMARY = 1, _("Primary")
        SECONDARY = 2, _("Secondary")
        TERTIARY = 3, _("Tertiary")

    class Relationship(models.TextChoices):
        # X12 individual relationship codes
        SELF = "18", _("Self")
        SPOUSE = "01", _("Spouse")
        CHILD = "19", _("Child")
        OTHER = "G8", _("Other relationship")

    patient = patient_fk("coverages", on_delete=models.CASCADE)
    payer = protected_fk(Payer, _("payer"))
    plan_name = models.CharField(_("plan"), max_length=120, blank=True)
    member_id = models.CharField(
        _("member ID"), max_length=40, validators=[validate_member_id], db_index=True
    )
    group_number = models.CharField(_("group number"), max_length=40, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("order"), choices=Priority.choices, default=Priority.PRIMARY
    )
    relationship = models.CharField(
        _("patient is the subscriber's"),
        max_length=2,
        choices=Relationship.choices,
        default=Relationship.SELF,
    )
    # The subscriber's own demographics, when the patient is not the subscriber.
    subscriber_given_name = models.CharField(
        _("subscriber given name"), max_length=100, blank=True
    )
    subscriber_family_name = models.CharField(
        _("subscriber family name"), max_length=100, blank=True
    )
    subscriber_birth_date = models.DateField(
        _("subscriber date of birth"), null=True, blank=True
    )
    subscriber_sex = models.CharField(
        _("subscriber sex"),
        max_length=1,
        choices=Patient.SexAtBirth.choices,
        blank=True,
    )
    effective_date = models.DateField(_("effective"), null=True, blank=True)
    end_date = models.DateField(_("ends"), null=True, blank=True)
    card_front = models.FileField(
        _("card front"),
        upload_to=card_upload_to,
        blank=True,
        validators=[validate_card_image],
    )
    card_back = models.FileField(
        _("card back"),
        upload_to=card_upload_to,
        blank=True,
        validators=[validate_card_image],
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["patient", "priority", "-effective_date"]
        constraints = [
            in_order(
                "effective_date",
                "end_date",
                or_equal=True,
                unless_empty=("end_date", "effective_date"),
                name="coverage_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payer} {self.member_id} ({self.get_priority_display()})"

    def is_current_on(self, day) -> bool:
        if not self.is_active:
            return False
        if self.effective_date and day < self.effective_date:
            return False
        return not (self.end_date and day > self.end_date)


class EligibilityCheck(models.Model):
    """One question to the payer: is this coverage active, and what will it pay?"""

    class Result(models.TextChoices):
        PENDING = "pending", _("Waiting for the payer")
        ACTIVE = "active", _("Active coverage")
        INACTIVE = "inactive", _("Not active")
        ERROR = "error", _("Check failed")

    coverage = models.ForeignKey(
        Coverage,
        verbose_name=_("coverage"),
        on_delete=models.CASCADE,
        related_name="eligibility_checks",
    )
    patient = patient_fk("eligibility_checks", on_delete=models.CASCADE)
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, default=Result.PENDING
    )
    backend = models.CharField(_("backend"), max_length=20)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    requested_by = staff_fk(_("requested by"), blank=False)
    completed_at = models.DateTimeField(_("answered"), null=True, blank=True)
    request_payload = models.TextField(_("request"), blank=True)
    response_payload = models.TextField(_("response"), blank=True)
    plan_description = models.CharField(_("plan"), max_length=200, blank=True)
    copay = models.DecimalField(
        _("copay"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    deductible_remaining = models.DecimalField(
        _("deductible remaining"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
    )
    message = models.CharField(_("message"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["patient", "-requested_at"])]

    def __str__(self) -> str:
        return (
            f"{self.coverage} {self.get_result_display()} {self.requested_at:%Y-%m-%d}"
        )
