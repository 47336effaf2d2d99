"""Billing set-up: the billing provider, payers' billing profiles, the fee schedule."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from billing.models.fields import ZERO, money
from billing.validators import (
    validate_cpt_hcpcs,
    validate_modifiers,
    validate_place_of_service,
    validate_tax_id,
)
from scheduling.validators import validate_npi


class BillingProvider(models.Model):
    """The clinic as it bills: name, NPI, tax ID, taxonomy and pay-to address."""

    name = models.CharField(_("name"), max_length=60)
    npi = models.CharField(_("NPI"), max_length=10, validators=[validate_npi])
    tax_id = models.CharField(
        _("tax ID (EIN)"), max_length=9, validators=[validate_tax_id]
    )
    taxonomy_code = models.CharField(_("taxonomy code"), max_length=10, blank=True)
    address_line1 = models.CharField(_("address"), max_length=55)
    city = models.CharField(_("city"), max_length=30)
    state = models.CharField(_("state"), max_length=2)
    postal_code = models.CharField(
        _("ZIP+4"), max_length=9, help_text=_("Nine digits, no dash.")
    )
    contact_name = models.CharField(_("billing contact"), max_length=60)
    contact_phone = models.CharField(_("contact phone (digits)"), max_length=10)
    place_of_service = models.CharField(
        _("default place of service"),
        max_length=2,
        default="11",
        validators=[validate_place_of_service],
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_active", "name"]

    def __str__(self) -> str:
        return f"{self.name} (NPI {self.npi})"


class PayerBillingProfile(models.Model):
    """What billing needs about a payer beyond registration's Payer."""

    payer = models.OneToOneField(
        "registration.Payer",
        verbose_name=_("payer"),
        on_delete=models.CASCADE,
        related_name="billing_profile",
    )
    timely_filing_days = models.PositiveSmallIntegerField(
        _("timely filing limit (days)"), default=365
    )
    paper_claims = models.BooleanField(
        _("wants paper claims (CMS-1500)"), default=False
    )

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.payer}: {self.timely_filing_days} days"


class FeeScheduleEntry(models.Model):
    """The clinic's price of one CPT/HCPCS code (with modifiers)."""

    code = models.CharField(
        _("CPT/HCPCS"), max_length=5, validators=[validate_cpt_hcpcs]
    )
    modifiers = models.CharField(
        _("modifiers"),
        max_length=11,
        blank=True,
        validators=[validate_modifiers],
        help_text=_("Up to four two-character modifiers, separated by spaces."),
    )
    description = models.CharField(_("description"), max_length=120)
    price = money(verbose_name=_("price"), validators=[MinValueValidator(ZERO)])
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "modifiers"]
        verbose_name_plural = _("fee schedule entries")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "modifiers"], name="billing_fee_code_unique"
            )
        ]

    def __str__(self) -> str:
        mods = f"-{self.modifiers}" if self.modifiers else ""
        return f"{self.code}{mods} {self.description} ${self.price}"
