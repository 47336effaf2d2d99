"""The formulary, medication orders, the dose schedule and the administration record.

Every model keeps ``history = HistoricalRecords()``. The rule "a scheduled dose is
given at most once" is a database constraint (``Administration.dose`` is one-to-one).
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.constraints import in_order
from clinic.fields import optional_fk, patient_fk, protected_fk, staff_fk, when_and_who
from clinic.models import Recorded
from medications.units import UNIT_CHOICES


class Route(models.TextChoices):
    ORAL = "PO", _("Oral (PO)")
    IV = "IV", _("Intravenous (IV)")
    IM = "IM", _("Intramuscular (IM)")
    SC = "SC", _("Subcutaneous (SC)")
    SL = "SL", _("Sublingual (SL)")
    INH = "INH", _("Inhaled (INH)")
    TOP = "TOP", _("Topical (TOP)")
    PR = "PR", _("Rectal (PR)")


def drug_amount(label, **options) -> models.DecimalField:
    """An amount of a drug in a unit (a strength, a dose): more than zero, to
    thousandths."""
    return models.DecimalField(
        label,
        max_digits=10,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
        **options,
    )


class Medication(models.Model):
    """A drug the clinic stocks: what it is, how it may be given, how much at most."""

    class Form(models.TextChoices):
        TABLET = "tablet", _("Tablet")
        CAPSULE = "capsule", _("Capsule")
        SOLUTION = "solution", _("Oral solution")
        INJECTION = "injection", _("Injection")
        INFUSION = "infusion", _("Infusion bag")
        INHALER = "inhaler", _("Inhaler")
        CREAM = "cream", _("Cream")

    name = models.CharField(_("name"), max_length=120)
    rxnorm_code = models.CharField(_("RxNorm code"), max_length=16, blank=True)
    form = models.CharField(_("form"), max_length=16, choices=Form.choices)
    strength = drug_amount(_("strength"))
    unit = models.CharField(_("unit"), max_length=12, choices=UNIT_CHOICES)
    routes = models.JSONField(_("allowed routes"), default=list)
    is_high_alert = models.BooleanField(
        _("high-alert"),
        default=False,
        help_text=_("A second nurse witnesses every dose."),
    )
    barcode = models.CharField(_("barcode (NDC)"), max_length=20, unique=True)
    max_single_dose = drug_amount(
        _("maximum single dose"), help_text=_("In the medication's unit.")
    )
    ingredients = models.JSONField(_("ingredients"), default=list)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "strength"]

    def __str__(self) -> str:
        return f"{self.name} {self.strength.normalize():f} {self.unit} {self.form}"

    def get_absolute_url(self) -> str:
        return reverse("medications:formulary-edit", kwargs={"pk": self.pk})

    @property
    def max_dose_label(self) -> str:
        return f"{self.max_single_dose.normalize():f} {self.unit}"


class MedicationOrder(models.Model):
    """A clinician's order: which drug, how much, by which route, how often."""

    class Frequency(models.TextChoices):
        ONCE = "once", _("Once")
        INTERVAL = "interval", _("Every N hours")
        TIMES = "times", _("At fixed times daily")
        PRN = "prn", _("As needed (PRN)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        HELD = "held", _("Held")
        DISCONTINUED = "discontinued", _("Discontinued")
        COMPLETED = "completed", _("Completed")

    patient = patient_fk(related_name="medication_orders")
    location = protected_fk(
        "scheduling.Location", _("unit"), related_name="medication_orders"
    )
    medication = protected_fk(Medication, _("medication"), related_name="orders")
    dose = drug_amount(_("dose"))
    dose_unit = models.CharField(_("dose unit"), max_length=12, choices=UNIT_CHOICES)
    route = models.CharField(_("route"), max_length=4, choices=Route.choices)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices
    )
    interval_hours = models.PositiveSmallIntegerField(
        _("every N hours"), null=True, blank=True
    )
    times_of_day = models.JSONField(
        _("times of day"), default=list, blank=True, help_text=_("HH:MM, local time")
    )
    prn_min_interval_hours = models.DecimalField(
        _("PRN minimum interval (hours)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    prn_max_per_24h = models.PositiveSmallIntegerField(
        _("PRN maximum doses per 24 h"), null=True, blank=True
    )
    start_at = models.DateTimeField(_("start"))
    end_at = models.DateTimeField(_("end"), null=True, blank=True)
    indication = models.CharField(_("indication"), max_length=200, blank=True)
    instructions = models.TextField(_("instructions"), blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.ACTIVE
    )
    status_reason = models.CharField(_("status reason"), max_length=500, blank=True)
    allergy_override_reason = models.CharField(
        _("allergy override reason"), max_length=500, blank=True
    )
    ordered_by = staff_fk(_("ordered by"), required=True)
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            in_order(
                "start_at",
                "end_at",
                unless_empty=("end_at",),
                name="medicationorder_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "status"], name="medorder_patient_status"),
            models.Index(fields=["status"], name="medorder_status"),
        ]

    def __str__(self) -> str:
        return f"{self.medication.name} {self.dose_label} {self.route} {self.sig}"

    def get_absolute_url(self) -> str:
        return reverse("medications:order-detail", kwargs={"pk": self.pk})

    @property
    def dose_label(self) -> str:
        return f"{self.dose.normalize():f} {self.dose_unit}"

    @property
    def sig(self) -> str:
        """The frequency in words: "every 8 h", "at 08:00, 20:00", "PRN"."""
        if self.frequency == self.Frequency.INTERVAL:
            return f"every {self.interval_hours} h"
        if self.frequency == self.Frequency.TIMES:
            return "at " + ", ".join(self.times_of_day)
        if self.frequency == self.Frequency.PRN:
            return (
                f"PRN (min {self.prn_min_interval_hours.normalize():f} h, "
                f"max {self.prn_max_per_24h}/24 h)"
                if self.prn_min_interval_hours is not None
                else "PRN"
            )
        return "once"

    @property
    def is_prn(self) -> bool:
        return self.frequency == self.Frequency.PRN


class ScheduledDose(models.Model):
    """One dose of an order, due at one moment; PRN doses are made when given."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        GIVEN = "given", _("Given")
        HELD = "held", _("Held")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    order = protected_fk(MedicationOrder, _("order"), related_name="doses")
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status_changed_at, status_changed_by = when_and_who()

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "due_at"], name="scheduleddose_one_per_order_time"
            ),
        ]
        indexes = [
            models.Index(fields=["due_at", "status"], name="dose_due_status"),
        ]

    def __str__(self) -> str:
        return f"{self.order.medication.name} due {self.due_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("medications:dose-give", kwargs={"pk": self.pk})


class Administration(models.Model):
    """What was given, by whom, when; at most one per scheduled dose (a constraint)."""

    dose = models.OneToOneField(
        ScheduledDose,
        verbose_name=_("dose"),
        on_delete=models.PROTECT,
        related_name="administration",
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=12, choices=UNIT_CHOICES)
    route = models.CharField(_("route"), max_length=4, choices=Route.choices)
    site = models.CharField(_("site"), max_length=60, blank=True)
    given_at = models.DateTimeField(_("given at"))
    given_by = staff_fk(_("given by"), required=True)
    witness = staff_fk(_("witness"))
    timing_reason = models.CharField(
        _("early / late reason"), max_length=500, blank=True
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(witness__isnull=True) | ~Q(witness=models.F("given_by")),
                name="administration_witness_is_another_nurse",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dose} given {self.given_at:%Y-%m-%d %H:%M}"

    @property
    def amount_label(self) -> str:
        return f"{self.amount.normalize():f} {self.unit}"


class HomeMedication(Recorded):
    """What the patient takes at home (FHIR MedicationStatement): a drug of the
    formulary, or one typed by name with the reason it is not on the formulary."""

    class Status(models.TextChoices):
        # FHIR MedicationStatement.status values.
        ACTIVE = "active", _("Taking")
        STOPPED = "stopped", _("Stopped")
        ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")

    patient = patient_fk(related_name="home_medications")
    medication = optional_fk(Medication, _("formulary drug"))
    name = models.CharField(_("drug (as typed)"), max_length=160, blank=True)
    rxnorm_code = models.CharField(_("RxNorm code"), max_length=16, blank=True)
    typed_reason = models.CharField(
        _("why not from the formulary"), max_length=200, blank=True
    )
    ingredients = models.JSONField(_("ingredients"), default=list, blank=True)
    dose = models.CharField(_("dose"), max_length=60)
    frequency = models.CharField(_("how often"), max_length=60)
    prescriber_staff = staff_fk(_("prescriber in the clinic"))
    prescriber_outside = models.CharField(
        _("prescriber outside the clinic"), max_length=120, blank=True
    )
    started_on = models.DateField(_("started"), null=True, blank=True)
    stopped_on = models.DateField(_("stopped"), null=True, blank=True)
    # The reaction it was stopped after: new orders sharing an ingredient meet it
    # as an allergy.
    reaction = models.CharField(_("stopped after reaction"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "name", "pk"]
        indexes = [models.Index(fields=["patient", "status"], name="homemed_patient")]
        constraints = [
            models.CheckConstraint(
                condition=Q(medication__isnull=False) | ~Q(name=""),
                name="homemed_drug_named",
            )
        ]

    def __str__(self) -> str:
        return f"{self.drug_name} {self.dose} {self.frequency}".strip()

    @property
    def drug_name(self) -> str:
        return self.medication.name if self.medication_id else self.name

    @property
    def ingredient_names(self) -> list[str]:
        names = self.medication.ingredients if self.medication_id else self.ingredients
        return [name.strip().lower() for name in names or [] if name.strip()]


# A review still going on: neither completed nor ended by a patient merge.
REVIEW_OPEN = Q(completed_at__isnull=True, merged_into__isnull=True)


class MedicationReconciliation(models.Model):
    """One review of the home list with the patient (at check-in, or any time)."""

    patient = patient_fk(related_name="medication_reconciliations")
    appointment = optional_fk("scheduling.Appointment", _("visit"))
    started_by = staff_fk(_("started by"))
    started_at = models.DateTimeField(_("started"))
    completed_at, completed_by = when_and_who(_("completed"), _("completed by"))
    # An open review ended by a patient merge: its decisions went on in this one.
    merged_into = optional_fk("self", _("merged into"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            # One review open per patient at a time (two tabs, two nurses).
            models.UniqueConstraint(
                fields=["patient"],
                condition=REVIEW_OPEN,
                name="reconciliation_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"Medication review of {self.patient} ({self.started_at:%Y-%m-%d})"


class ReconciliationDecision(models.Model):
    """What was decided about one home medication in a review, by whom and when."""

    class Decision(models.TextChoices):
        KEPT = "kept", _("Kept")
        CHANGED = "changed", _("Changed")
        STOPPED = "stopped", _("Stopped")
        NEW = "new", _("New")

    reconciliation = models.ForeignKey(
        MedicationReconciliation, on_delete=models.CASCADE, related_name="decisions"
    )
    home_medication = models.ForeignKey(
        HomeMedication, on_delete=models.PROTECT, related_name="decisions"
    )
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    detail = models.CharField(_("what changed"), max_length=200, blank=True)
    decided_by = staff_fk(required=True)
    decided_at = models.DateTimeField(_("decided"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reconciliation", "home_medication"],
                name="reconciliation_one_decision_per_drug",
            )
        ]

    def __str__(self) -> str:
        return f"{self.home_medication}: {self.get_decision_display()}"
