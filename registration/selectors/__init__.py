"""Reads of the registration app shared by pages, jobs and other apps, by subject;
import them from here."""

from registration.selectors.contacts import (
    NumberRow,
    contact_unreachable_reason,
    contacts_permitted,
    patient_contacts,
    patient_numbers,
)
from registration.selectors.coverage import (
    COVERAGE_ORDER,
    EligibilityStatus,
    coverage_primary,
    coverage_primary_ids,
    coverages_in_force,
    eligibility_status_for_checkin,
    eligibility_status_of,
    patient_coverages,
)
from registration.selectors.duplicates import (
    DUPLICATE_LIMIT,
    NAME_SIMILARITY_THRESHOLD,
    DuplicateMatch,
    patient_possible_duplicates,
)
from registration.selectors.patient_search import (
    LIST_COLUMNS,
    SEARCH_CANDIDATE_CAP,
    SEARCH_LIMIT,
    SearchResults,
    patient_search,
)
from registration.selectors.patients import (
    PatientBanner,
    mrn_normalise,
    patient_active_allergies,
    patient_banner,
    patient_by_mrn,
    patient_for_chart,
    patient_mrn_q,
)

__all__ = [
    "COVERAGE_ORDER",
    "DUPLICATE_LIMIT",
    "LIST_COLUMNS",
    "NumberRow",
    "NAME_SIMILARITY_THRESHOLD",
    "SEARCH_CANDIDATE_CAP",
    "SEARCH_LIMIT",
    "DuplicateMatch",
    "EligibilityStatus",
    "PatientBanner",
    "SearchResults",
    "contact_unreachable_reason",
    "contacts_permitted",
    "coverage_primary",
    "coverage_primary_ids",
    "coverages_in_force",
    "eligibility_status_for_checkin",
    "eligibility_status_of",
    "mrn_normalise",
    "patient_active_allergies",
    "patient_banner",
    "patient_by_mrn",
    "patient_contacts",
    "patient_coverages",
    "patient_for_chart",
    "patient_mrn_q",
    "patient_numbers",
    "patient_possible_duplicates",
    "patient_search",
]
