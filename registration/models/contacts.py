"""The people who act for a patient: a minor's parent, an adult's health-care proxy.

Each contact holds only the permissions the patient (or their guardian) gave, and
only while that consent stands: an ended contact or one whose consent has run out
holds none (``PatientContact.permits``).
"""

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from clinic.clock import today
from clinic.fields import language_field, patient_fk, staff_fk, when_and_who
from clinic.languages import language_name


class PatientContact(models.Model):
    """Someone the clinic may reach or hear from about a patient, with what they
    may do and the patient's consent to it."""

    class Relationship(models.TextChoices):
        PARENT = "parent", _("Parent")
        GUARDIAN = "guardian", _("Legal guardian")
        PROXY = "proxy", _("Health-care proxy")
        SPOUSE = "spouse", _("Spouse or partner")
        CHILD = "child", _("Adult child")
        CAREGIVER = "caregiver", _("Caregiver")
        OTHER = "other", _("Other")

    class ConsentMethod(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("By phone")
        WRITTEN = "written", _("Signed form")

    class Permission(models.TextChoices):
        REMINDERS = "reminders", _("Receives appointment reminders")
        MANAGE_VISITS = "manage_visits", _("May confirm, cancel or reschedule")
        RESULTS = "results", _("Receives “results are ready” notices")
        BILLING = "billing", _("Receives billing notices")

    patient = patient_fk("contacts", on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(
        _("relationship"), max_length=12, choices=Relationship.choices
    )
    phone_mobile = PhoneNumberField(_("mobile phone"), blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = language_field(_("language"))
    receives_reminders = models.BooleanField(Permission.REMINDERS.label, default=False)
    may_manage_visits = models.BooleanField(
        Permission.MANAGE_VISITS.label, default=False
    )
    receives_results = models.BooleanField(Permission.RESULTS.label, default=False)
    receives_billing = models.BooleanField(Permission.BILLING.label, default=False)
    # The patient's consent to this contact: how, when, until when, recorded by whom.
    consent_method = models.CharField(
        _("consent given"), max_length=10, choices=ConsentMethod.choices
    )
    consent_at = models.DateTimeField(_("consent recorded"), default=timezone.now)
    consent_until = models.DateField(_("consent valid until"), null=True, blank=True)
    consent_recorded_by = staff_fk(_("consent recorded by"))
    ended_at, ended_by = when_and_who(_("ended"), _("ended by"))
    end_reason = models.CharField(_("why ended"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["patient", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(phone_mobile="") | ~Q(email=""),
                name="patientcontact_reachable",
                violation_error_message=_("Give a mobile number or an e-mail address."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"

    # What the front desk types (the form's fields, the services' input).
    EDITABLE_FIELDS = [
        "name",
        "relationship",
        "phone_mobile",
        "email",
        "language",
        "receives_reminders",
        "may_manage_visits",
        "receives_results",
        "receives_billing",
        "consent_method",
        "consent_until",
    ]

    PERMISSION_FIELDS = {
        Permission.REMINDERS: "receives_reminders",
        Permission.MANAGE_VISITS: "may_manage_visits",
        Permission.RESULTS: "receives_results",
        Permission.BILLING: "receives_billing",
    }

    def consent_valid(self, at: datetime | None = None) -> bool:
        """Consent stands from when it was given until the end of its last day
        (clinic time), and never after the contact was ended."""
        at = at or timezone.now()
        if self.ended_at is not None and self.ended_at <= at:
            return False
        if self.consent_at > at:
            return False
        return self.consent_until is None or today(at) <= self.consent_until

    def permits(self, permission: str, at: datetime | None = None) -> bool:
        """What the contact may do now: the permission given, under valid consent."""
        return bool(getattr(self, self.PERMISSION_FIELDS[permission])) and (
            self.consent_valid(at)
        )

    def permission_labels(self) -> list[str]:
        return [
            str(label)
            for value, label in self.Permission.choices
            if getattr(self, self.PERMISSION_FIELDS[value])
        ]

    @property
    def language_name(self) -> str:
        return language_name(self.language)
