"""The registration app's pages, by subject: ``patients`` (search, register,
chart, edit, merge), ``records`` (insurance and allergies) and ``breakglass``
(restricted records)."""

from registration.views.breakglass import (
    BreakGlassView,
    RestrictedAccessReviewView,
    RestrictionView,
)
from registration.views.patients import (
    DuplicateCheckView,
    PatientChartView,
    PatientCreateView,
    PatientListView,
    PatientLookupView,
    PatientMergeView,
    PatientMixin,
    PatientUpdateView,
)
from registration.views.records import (
    AllergyCreateView,
    AllergyStatusView,
    CoverageCardView,
    CoverageCreateView,
    CoverageVerifyView,
    NoKnownAllergiesView,
)

__all__ = [
    "AllergyCreateView",
    "AllergyStatusView",
    "BreakGlassView",
    "CoverageCardView",
    "CoverageCreateView",
    "CoverageVerifyView",
    "DuplicateCheckView",
    "NoKnownAllergiesView",
    "PatientChartView",
    "PatientCreateView",
    "PatientListView",
    "PatientLookupView",
    "PatientMergeView",
    "PatientMixin",
    "PatientUpdateView",
    "RestrictedAccessReviewView",
    "RestrictionView",
]
