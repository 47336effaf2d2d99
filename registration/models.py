import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from clinic.languages import language_choices, language_name
from registration.validators import (
    validate_card_image,
    validate_member_id,
    validate_mrn,
    validate_rxnorm,
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
    # An ISO 639-1 code ("es"), named on pages by clinic.languages.language_name;
    # blank: not asked. (35 long: the history keeps the free text of before.)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=35,
        choices=language_choices,
        blank=True,
        default="en",
    )
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
    sms_consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("SMS consent recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
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
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
    )
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

    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        related_name="coverages",
    )
    payer = models.ForeignKey(
        Payer, verbose_name=_("payer"), on_delete=models.PROTECT, related_name="+"
    )
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
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(effective_date__isnull=True)
                | Q(end_date__gte=models.F("effective_date")),
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
    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        related_name="eligibility_checks",
    )
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, default=Result.PENDING
    )
    backend = models.CharField(_("backend"), max_length=20)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
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


class Allergy(models.Model):
    """A substance the patient reacts to."""

    class Severity(models.TextChoices):
        MILD = "mild", _("Mild")
        MODERATE = "moderate", _("Moderate")
        SEVERE = "severe", _("Severe")
        LIFE_THREATENING = "life", _("Life-threatening")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        RESOLVED = "resolved", _("Resolved")
        ENTERED_IN_ERROR = "error", _("Entered in error")

    SEVERE_LEVELS = (Severity.SEVERE, Severity.LIFE_THREATENING)

    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        related_name="allergies",
    )
    substance = models.CharField(_("substance"), max_length=200)
    rxnorm_code = models.CharField(
        _("RxNorm code"),
        max_length=12,
        blank=True,
        validators=[validate_rxnorm],
    )
    reaction = models.CharField(_("reaction"), max_length=200, blank=True)
    severity = models.CharField(
        _("severity"),
        max_length=10,
        choices=Severity.choices,
        default=Severity.MODERATE,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["patient", "-recorded_at"]
        verbose_name_plural = _("allergies")

    def __str__(self) -> str:
        return self.substance

    @property
    def is_severe(self) -> bool:
        return self.severity in self.SEVERE_LEVELS


class BreakGlassGrant(models.Model):
    """One user's time-limited access to one restricted patient's record, given
    with a reason, and an administrator's sign-off of it."""

    class Reason(models.TextChoices):
        DIRECT_CARE = "direct_care", _("Caring for the patient now")
        EMERGENCY = "emergency", _("Emergency")
        COVERING = "covering", _("Covering for a colleague")
        OPERATIONS = "operations", _("Scheduling, billing or records work")
        PATIENT_REQUEST = "patient_request", _("At the patient's request")
        OTHER = "other", _("Other (explain below)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="break_glass_grants",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    reason_text = models.CharField(_("explanation"), max_length=500)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    review_note = models.CharField(_("sign-off note"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at", "-id"]
        permissions = [
            ("review_breakglassgrant", "Can sign off break-glass access"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("granted_at")),
                name="breakglass_expires_after_granted",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True, reviewed_by__isnull=True)
                | Q(reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="breakglass_review_has_who_and_when",
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "patient", "expires_at"], name="breakglass_live"
            ),
            models.Index(
                fields=["granted_at"],
                condition=Q(reviewed_at__isnull=True),
                name="breakglass_unreviewed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.patient.mrn} · {self.granted_at:%Y-%m-%d %H:%M}"

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None
