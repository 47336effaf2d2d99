"""The record between visits: a patient's problems and the plans that treat them.

Shaped for FHIR: ``Problem`` is a Condition (category problem-list-item, ICD-10-CM,
clinical status active / resolved), ``CarePlan`` a CarePlan (status, period,
addresses a Condition, author), ``Goal`` a Goal (lifecycle and achievement status,
a target on a LOINC test with a due date), ``PlanActivity`` a CarePlan activity
detail. Every record has its history and an ``updated_at``.

An activity's progress is not stored: it is read from what happened (a completed
visit of its type, a final result of its test, a completed medication review, a
recorded education contact), so it can never disagree with the record.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.fields import optional_fk, patient_fk, protected_fk, staff_fk
from clinic.models import Recorded
from diagnostics.models import ICD10CM_SHAPE


class Problem(Recorded):
    """One condition on the patient's problem list."""

    class Status(models.TextChoices):
        # FHIR Condition.clinicalStatus codes, and a duplicate ended by a patient
        # merge (the survivor has the same problem active).
        ACTIVE = "active", _("Active")
        RESOLVED = "resolved", _("Resolved")
        MERGED = "merged", _("Duplicate (merged)")

    patient = patient_fk(related_name="problems")
    code = models.CharField(_("ICD-10-CM"), max_length=8, validators=[ICD10CM_SHAPE])
    description = models.CharField(_("condition"), max_length=250)
    onset_date = models.DateField(_("onset"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    resolved_on = models.DateField(_("resolved"), null=True, blank=True)
    # The visit whose diagnoses it came from (billing's "add to problem list").
    appointment = optional_fk("scheduling.Appointment", _("from visit"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "code"],
                condition=Q(status="active"),
                name="problem_one_active_per_code",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    def get_absolute_url(self) -> str:
        return reverse("careplans:problems", args=[self.patient_id])


class CarePlan(models.Model):
    """A plan for one problem: goals, planned activities, a review date and the
    clinician responsible for it."""

    class Status(models.TextChoices):
        # FHIR CarePlan.status codes.
        ACTIVE = "active", _("Active")
        ON_HOLD = "on-hold", _("On hold")
        COMPLETED = "completed", _("Completed")
        REVOKED = "revoked", _("Stopped")

    patient = patient_fk(related_name="care_plans")
    problem = protected_fk(Problem, _("problem"), related_name="plans")
    title = models.CharField(_("title"), max_length=160)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    starter = models.SlugField(_("made from starter"), max_length=60, blank=True)
    start_date = models.DateField(_("start"))
    review_date = models.DateField(_("review by"))
    responsible = staff_fk(_("responsible clinician"))
    created_by = staff_fk(_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-pk"]
        permissions = [
            ("view_plan_due", "Can see that a plan's or a medication review is due")
        ]
        indexes = [models.Index(fields=["status", "review_date"], name="plan_review")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("careplans:plan", args=[self.pk])


class Comparator(models.TextChoices):
    BELOW = "lt", "<"
    AT_MOST = "lte", "≤"
    AT_LEAST = "gte", "≥"
    ABOVE = "gt", ">"


class Goal(models.Model):
    """What the plan aims at: a test's value against a target by a date."""

    class Status(models.TextChoices):
        # FHIR Goal.lifecycleStatus codes.
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Met")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(_("goal"), max_length=200)
    test = optional_fk("diagnostics.TestDefinition", _("measured by"))
    comparator = models.CharField(
        _("target is"), max_length=3, choices=Comparator.choices, blank=True
    )
    target = models.DecimalField(
        _("target value"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    target_date = models.DateField(_("by"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["target_date", "pk"]

    def __str__(self) -> str:
        return self.description

    @property
    def target_label(self) -> str:
        if self.target is None:
            return ""
        unit = self.test.unit if self.test_id else ""
        return f"{self.get_comparator_display()} {self.target.normalize():f} {unit}"

    def met_by(self, value) -> bool:
        if self.target is None or value is None:
            return False
        return {
            Comparator.BELOW: value < self.target,
            Comparator.AT_MOST: value <= self.target,
            Comparator.AT_LEAST: value >= self.target,
            Comparator.ABOVE: value > self.target,
        }.get(self.comparator, False)


class PlanActivity(models.Model):
    """Something the plan does again and again: a visit of a type every N weeks, a
    test every N months, a medication review, an education contact."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        TEST = "test", _("Test")
        MEDICATION_REVIEW = "medication_review", _("Medication review")
        EDUCATION = "education", _("Education contact")

    class Unit(models.TextChoices):
        WEEKS = "weeks", _("weeks")
        MONTHS = "months", _("months")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        STOPPED = "stopped", _("Stopped")

    plan = models.ForeignKey(
        CarePlan, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("activity"), max_length=20, choices=Kind.choices)
    appointment_type = optional_fk("scheduling.AppointmentType", _("visit type"))
    test = optional_fk("diagnostics.TestDefinition", _("test"))
    every = models.PositiveSmallIntegerField(_("every"))
    unit = models.CharField(_("unit"), max_length=6, choices=Unit.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(every__gte=1), name="planactivity_every_positive"
            ),
            models.CheckConstraint(
                condition=~Q(kind="visit") | Q(appointment_type__isnull=False),
                name="planactivity_visit_has_type",
            ),
            models.CheckConstraint(
                condition=~Q(kind="test") | Q(test__isnull=False),
                name="planactivity_test_has_test",
            ),
        ]

    def __str__(self) -> str:
        what = {
            self.Kind.VISIT: f"{getattr(self.appointment_type, 'name', '')} visit",
            self.Kind.TEST: getattr(self.test, "name", ""),
        }.get(self.kind) or self.get_kind_display()
        return f"{what} every {self.every} {self.get_unit_display()}"


class EducationContact(Recorded):
    """An education contact given for an activity (recorded by hand: nothing else
    in the record says it happened)."""

    activity = models.ForeignKey(
        PlanActivity, on_delete=models.PROTECT, related_name="contacts"
    )
    done_on = models.DateField(_("given on"))
    topic = models.CharField(_("topic"), max_length=120)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-done_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.done_on})"
