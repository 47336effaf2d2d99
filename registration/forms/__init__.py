"""The registration app's forms, by subject; import them from here. (The MRN box
that other apps' forms use is ``registration.mrn_field``.)"""

from registration.forms.breakglass import (
    BreakGlassForm,
    RestrictionForm,
    ReviewFilterForm,
    SignOffForm,
)
from registration.forms.contacts import ContactForm
from registration.forms.patients import (
    CONSENT_METHOD_REQUIRED,
    COVERAGE_INCOMPLETE,
    DOB_IN_FUTURE,
    DOB_TOO_EARLY,
    LANGUAGE_NOT_ASKED,
    PATIENT_FIELDS,
    SUBSCRIBER_REQUIRED,
    DuplicateProbeForm,
    MergeForm,
    PatientEditForm,
    PatientForm,
)
from registration.forms.records import AllergyForm, CoverageForm
from registration.forms.registration import RegistrationForm

__all__ = [
    "CONSENT_METHOD_REQUIRED",
    "COVERAGE_INCOMPLETE",
    "DOB_IN_FUTURE",
    "DOB_TOO_EARLY",
    "LANGUAGE_NOT_ASKED",
    "PATIENT_FIELDS",
    "SUBSCRIBER_REQUIRED",
    "AllergyForm",
    "BreakGlassForm",
    "ContactForm",
    "CoverageForm",
    "DuplicateProbeForm",
    "MergeForm",
    "PatientEditForm",
    "PatientForm",
    "RegistrationForm",
    "RestrictionForm",
    "ReviewFilterForm",
    "SignOffForm",
]
