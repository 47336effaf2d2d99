"""The registration app's pages, by subject: ``patients`` (search, register,
chart, edit, merge), ``records`` (insurance and allergies), ``contacts``
(caregivers and proxies) and ``breakglass`` (restricted records)."""

from registration.views.breakglass import (
    BreakGlassView,
    RestrictedAccessReviewView,
    RestrictionView,
)
from registration.views.contacts import (
    ContactCreateView,
    ContactEndView,
    ContactUpdateView,
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
    "ContactCreateView",
    "ContactEndView",
    "ContactUpdateView",
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
