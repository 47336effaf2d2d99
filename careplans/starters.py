"""Plan starters: the usual plan for a common problem, which a clinician copies
onto a patient's problem and adapts. Tests are named by the catalogue's short
code and visits by their type's name; what the clinic lacks is left out."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from careplans.models import Comparator, PlanActivity

K = PlanActivity.Kind
U = PlanActivity.Unit


@dataclass(frozen=True)
class GoalSpec:
    description: str
    test_code: str
    comparator: str
    target: Decimal
    within: timedelta


@dataclass(frozen=True)
class ActivitySpec:
    kind: str
    every: int
    unit: str
    test_code: str = ""
    visit_type: str = ""


@dataclass(frozen=True)
class PlanStarter:
    slug: str
    title: str
    # ICD-10-CM categories (three characters) the starter is offered for.
    categories: tuple[str, ...]
    review_after: timedelta
    goals: tuple[GoalSpec, ...] = ()
    activities: tuple[ActivitySpec, ...] = ()


STARTERS = [
    PlanStarter(
        slug="diabetes",
        title=_("Type 2 diabetes: glycaemic control"),
        categories=("E11",),
        review_after=timedelta(days=182),
        goals=(
            GoalSpec(
                _("HbA1c below 7 %"), "A1C", Comparator.BELOW, Decimal("7.0"),
                timedelta(days=182),
            ),
        ),
        activities=(
            ActivitySpec(K.TEST, 3, U.MONTHS, test_code="A1C"),
            ActivitySpec(K.VISIT, 12, U.WEEKS, visit_type="Follow-up"),
            ActivitySpec(K.MEDICATION_REVIEW, 6, U.MONTHS),
            ActivitySpec(K.EDUCATION, 12, U.MONTHS),
        ),
    ),
    PlanStarter(
        slug="hypertension",
        title=_("Hypertension: blood pressure and kidneys"),
        categories=("I10",),
        review_after=timedelta(days=365),
        activities=(
            ActivitySpec(K.VISIT, 12, U.WEEKS, visit_type="Follow-up"),
            ActivitySpec(K.TEST, 12, U.MONTHS, test_code="CREA"),
            ActivitySpec(K.MEDICATION_REVIEW, 6, U.MONTHS),
        ),
    ),
    PlanStarter(
        slug="hyperlipidaemia",
        title=_("Hyperlipidaemia: LDL to target"),
        categories=("E78",),
        review_after=timedelta(days=365),
        goals=(
            GoalSpec(
                _("LDL below 100 mg/dL"), "LDL", Comparator.BELOW, Decimal("100"),
                timedelta(days=365),
            ),
        ),
        activities=(
            ActivitySpec(K.TEST, 6, U.MONTHS, test_code="LDL"),
            ActivitySpec(K.MEDICATION_REVIEW, 12, U.MONTHS),
        ),
    ),
    PlanStarter(
        slug="hypothyroidism",
        title=_("Hypothyroidism: TSH in range"),
        categories=("E03",),
        review_after=timedelta(days=365),
        goals=(
            GoalSpec(
                _("TSH at most 4.5 mIU/L"), "TSH", Comparator.AT_MOST,
                Decimal("4.5"), timedelta(days=182),
            ),
        ),
        activities=(ActivitySpec(K.TEST, 6, U.MONTHS, test_code="TSH"),),
    ),
]  # fmt: skip

BY_SLUG = {starter.slug: starter for starter in STARTERS}


def starters_for(code: str) -> list[PlanStarter]:
    """The starters offered for a problem's code (its category first), then the
    rest."""
    category = code[:3].upper()
    fits = [s for s in STARTERS if category in s.categories]
    return fits + [s for s in STARTERS if s not in fits]
