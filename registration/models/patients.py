"""The patient: who they are, how to reach them, their status."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from clinic.fields import language_field, optional_fk, staff_fk
from clinic.languages import language_name
from registration.validators import (
    validate_mrn,
)


class Patient(models.Model):
    """A person the clinic cares for."""

    class SexAtBirth(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        INTERSEX = "X", _("Intersex")
        UNKNOWN = "U", _("Unknown / not recorded")

    class GenderIdentity(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        NON_BINARY = "non-binary", _("Non-binary")
        OTHER = "other", _("Other")
        UNDISCLOSED = "undisclosed", _("Chose not to disclose")
        NOT_ASKED = "", _("Not asked")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DECEASED = "deceased", _("Deceased")
        MERGED = "merged", _("Merged into another record")

    class ContactMethod(models.TextChoices):
        SMS = "sms", _("Text message")
        PHONE = "phone", _("Phone call")
        EMAIL = "email", _("E-mail")
        MAIL = "mail", _("Letter")

    class ConsentMethod(models.TextChoices):
        VERBAL = "verbal", _("Verbally, at the desk or on the phone")
        WRITTEN = "written", _("Signed form")
        PORTAL = "portal", _("Patient portal")
        SMS_KEYWORD = "sms", _("Replied to a text message")

    class AllergyReview(models.TextChoices):
        NOT_ASKED = "not_asked", _("Not yet asked")
        NO_KNOWN = "nka", _("No known allergies")
        RECORDED = "recorded", _("Allergies recorded")

    class Restriction(models.TextChoices):
        NONE = "", _("Not restricted")
        STAFF = "staff", _("Staff member")
        PUBLIC_FIGURE = "public_figure", _("Public figure")
        SENSITIVE = "sensitive", _("Sensitive episode")

    mrn = models.CharField(
        _("MRN"), max_length=16, unique=True, validators=[validate_mrn]
    )
    # Legal name
    given_name = models.CharField(_("given name"), max_length=100)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100)
    name_suffix = models.CharField(_("suffix"), max_length=20, blank=True)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"), db_index=True)
    sex_at_birth = models.CharField(
        _("sex at birth"),
        max_length=1,
        choices=SexAtBirth.choices,
        default=SexAtBirth.UNKNOWN,
    )
    gender_identity = models.CharField(
        _("gender identity"),
        max_length=16,
        choices=GenderIdentity.choices,
        blank=True,
    )
    pronouns = models.CharField(_("pronouns"), max_length=30, blank=True)
    # Address
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state / region"), max_length=50, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, default="US")
    # Contact (phones in E.164)
    phone_mobile = PhoneNumberField(_("mobile phone"), blank=True, db_index=True)
    phone_home = PhoneNumberField(_("home phone"), blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_language = language_field(_("preferred language"))
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    preferred_contact_method = models.CharField(
        _("preferred contact"),
        max_length=8,
        choices=ContactMethod.choices,
        default=ContactMethod.PHONE,
    )
    # Consent to text messages: given when, how, recorded by whom.
    sms_consent = models.BooleanField(_("agrees to text messages"), default=False)
    sms_consent_at = models.DateTimeField(_("SMS consent given"), null=True, blank=True)
    sms_consent_method = models.CharField(
        _("SMS consent given by"),
        max_length=8,
        choices=ConsentMethod.choices,
        blank=True,
    )
    sms_consent_recorded_by = staff_fk(_("SMS consent recorded by"))
    # Emergency contact
    emergency_contact_name = models.CharField(
        _("emergency contact"), max_length=200, blank=True
    )
    emergency_contact_relationship = models.CharField(
        _("relationship"), max_length=50, blank=True
    )
    emergency_contact_phone = PhoneNumberField(_("emergency contact phone"), blank=True)
    # Status
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    deceased_date = models.DateField(_("date of death"), null=True, blank=True)
    merged_into = optional_fk("self", _("merged into"), related_name="merged_records")
    allergy_review = models.CharField(
        _("allergies"),
        max_length=10,
        choices=AllergyReview.choices,
        default=AllergyReview.NOT_ASKED,
    )
    allergy_reviewed_at = models.DateTimeField(
        _("allergies reviewed"), null=True, blank=True
    )
    # Registered although the duplicate check showed possible matches: why, and which.
    duplicate_override_reason = models.CharField(
        _("registered despite possible duplicates because"),
        max_length=300,
        blank=True,
    )
    duplicate_override_mrns = models.CharField(
        _("possible duplicates shown"), max_length=300, blank=True
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    # A restricted chart opens only through break-glass (a BreakGlassGrant); who set
    # or lifted it, and why, is in the history.
    restriction = models.CharField(
        _("restriction"),
        max_length=16,
        choices=Restriction.choices,
        blank=True,
        default=Restriction.NONE,
        # Also in the database: bulk loads (COPY) that name no restriction get none.
        db_default=Restriction.NONE,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name"]
        permissions = [
            ("merge_patient", "Can merge duplicate patient records"),
            ("restrict_patient", "Can mark a patient restricted"),
            ("unrestrict_patient", "Can lift or change a patient's restriction"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="deceased", deceased_date__isnull=False)
                | ~Q(status="deceased"),
                name="patient_deceased_has_date",
            ),
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="patient_merged_has_survivor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    def get_absolute_url(self) -> str:
        return reverse("registration:patient-chart", args=[self.pk])

    @property
    def display_name(self) -> str:
        preferred = f" “{self.preferred_name}”" if self.preferred_name else ""
        return f"{self.family_name}, {self.given_name}{preferred}"

    def age_on(self, day) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def preferred_language_name(self) -> str:
        """The preferred language by name ("Spanish"), or "" when not asked."""
        return language_name(self.preferred_language)

    @property
    def is_restricted(self) -> bool:
        return bool(self.restriction)
