"""The test catalogue: tests, their reference ranges, panels."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.constraints import in_order
from diagnostics.units import unit_label

LOINC_SHAPE = RegexValidator(
    r"^\d{1,7}-\d$", _("A LOINC code looks like 718-7 (digits, dash, check digit).")
)
ICD10CM_SHAPE = RegexValidator(
    r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$",
    _("An ICD-10-CM code looks like E11.9 or R07.89 (letter, 2 characters, .detail)."),
)


class SpecimenType(models.TextChoices):
    BLOOD = "blood", _("Whole blood (EDTA)")
    SERUM = "serum", _("Serum")
    PLASMA = "plasma", _("Plasma (citrate)")
    URINE = "urine", _("Urine")
    SWAB = "swab", _("Throat swab")


class TestDefinition(models.Model):
    """One orderable test of the catalogue, with its limits."""

    __test__ = False  # not a pytest test class, whatever its name

    class ResultType(models.TextChoices):
        NUMERIC = "numeric", _("Numeric")
        CODED = "coded", _("Coded")
        TEXT = "text", _("Text")

    loinc = models.CharField(
        _("LOINC code"), max_length=10, unique=True, validators=[LOINC_SHAPE]
    )
    code = models.CharField(_("short code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=200)
    specimen_type = models.CharField(
        _("specimen type"), max_length=16, choices=SpecimenType.choices
    )
    result_type = models.CharField(
        _("result type"), max_length=10, choices=ResultType.choices
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=1)
    critical_low = models.DecimalField(
        _("critical low"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    critical_high = models.DecimalField(
        _("critical high"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    normal_values = models.CharField(
        _("normal coded values"),
        max_length=200,
        blank=True,
        help_text=_("For coded tests: normal answers, separated by '|'."),
    )
    active = models.BooleanField(_("orderable"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(critical_low__isnull=True)
                | Q(critical_high__isnull=True)
                | Q(critical_low__lt=models.F("critical_high")),
                name="testdefinition_critical_low_below_high",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.loinc})"

    @property
    def is_numeric(self) -> bool:
        return self.result_type == self.ResultType.NUMERIC

    @property
    def display_unit(self) -> str:
        return unit_label(self.unit)

    def normal_value_list(self) -> list[str]:
        return [v.strip().lower() for v in self.normal_values.split("|") if v.strip()]


class ReferenceRange(models.Model):
    """A normal range for a sex (blank: any sex) and an age band [min, max)."""

    class Sex(models.TextChoices):
        ANY = "", _("Any")
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    test = models.ForeignKey(
        TestDefinition, on_delete=models.CASCADE, related_name="ranges"
    )
    sex = models.CharField(
        _("sex at birth"), max_length=1, blank=True, choices=Sex.choices
    )
    age_min_years = models.PositiveSmallIntegerField(_("from age"), default=0)
    age_max_years = models.PositiveSmallIntegerField(
        _("below age"), null=True, blank=True
    )
    low = models.DecimalField(
        _("low"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    high = models.DecimalField(
        _("high"), max_digits=12, decimal_places=4, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["test", "sex", "age_min_years"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sex__in=["", "F", "M"]), name="referencerange_sex"
            ),
            in_order(
                "age_min_years",
                "age_max_years",
                unless_empty=("age_max_years",),
                name="referencerange_age_band",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.test.code} {self.text}"

    @property
    def text(self) -> str:
        low = "" if self.low is None else f"{self.low.normalize():f}"
        high = "" if self.high is None else f"{self.high.normalize():f}"
        if low and high:
            return f"{low}-{high}"
        if low:
            return f">={low}"
        return f"<={high}" if high else ""


class Panel(models.Model):
    """A group of tests ordered together (CBC, CMP, lipid panel...)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=200)
    loinc = models.CharField(
        _("LOINC code"), max_length=10, blank=True, validators=[LOINC_SHAPE]
    )
    tests = models.ManyToManyField(TestDefinition, related_name="panels")
    active = models.BooleanField(_("orderable"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
