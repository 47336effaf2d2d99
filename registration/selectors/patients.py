"""One patient: found by MRN, for the chart, and the banner of every page about
them."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from registration.models import Allergy, Patient


def patient_for_chart(*, pk: int) -> Patient:
    return Patient.objects.select_related("merged_into", "sms_consent_recorded_by").get(
        pk=pk
    )


def mrn_normalise(text: str) -> str:
    """An MRN as typed or scanned: letters and digits only, upper case."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def patient_mrn_q(*, mrn: str, path: str = "mrn") -> Q:
    """Rows whose patient carries this MRN, for a list's search (``path`` is the
    lookup to the MRN, "patient__mrn"): the rule of ``patient_by_mrn``. Text
    with no letter or digit matches nothing."""
    code = mrn_normalise(mrn)
    return Q(**{path: code}) if code else Q(pk__in=[])


def patient_by_mrn(*, mrn: str) -> Patient | None:
    """The patient whose wristband or card carries this MRN, or None. Every MRN
    box and search asks this (or ``patient_mrn_q``).

    Typed or scanned text is normalised (spaces and dashes dropped, capitals) and
    compared exactly: a stored MRN is in that form (``validate_mrn``), so exact
    finds what a case-blind match would, through the unique index (``iexact``
    compares UPPER(mrn), which no index serves: a scan of every patient)."""
    if not mrn_normalise(mrn):
        return None
    return Patient.objects.filter(patient_mrn_q(mrn=mrn)).first()


@dataclass
class PatientBanner:
    """What every page about one patient shows at its top (DESIGN invariant 10):
    who this is, and what they react to."""

    patient: Patient
    allergies: list[Allergy]

    @property
    def severe(self) -> bool:
        return any(allergy.is_severe for allergy in self.allergies)

    @property
    def allergy_state(self) -> str:
        """``severe`` | ``allergies`` | ``nka`` | ``inactive`` | ``unknown``."""
        if self.allergies:
            return "severe" if self.severe else "allergies"
        review = self.patient.allergy_review
        if review == Patient.AllergyReview.NO_KNOWN:
            return "nka"
        if review == Patient.AllergyReview.RECORDED:
            return "inactive"
        return "unknown"

    @property
    def allergy_text(self) -> str:
        """The allergy summary in words, for printouts and texts."""
        if self.allergies:
            return "; ".join(
                allergy.substance
                + (f" ({allergy.reaction})" if allergy.reaction else "")
                + (
                    f" {allergy.get_severity_display().upper()}"
                    if allergy.is_severe
                    else ""
                )
                for allergy in self.allergies
            )
        return {
            "nka": _("No known allergies"),
            "inactive": _("No active allergies"),
            "unknown": _("Allergies not yet asked"),
        }[self.allergy_state]


def patient_banner(*, patient: Patient) -> PatientBanner:
    """The patient banner: the patient (already loaded) and their active
    allergies, severe ones first (one query)."""
    allergies = patient_active_allergies(patient=patient)
    allergies.sort(key=lambda allergy: not allergy.is_severe)
    return PatientBanner(patient=patient, allergies=allergies)


def patient_active_allergies(*, patient: Patient) -> list[Allergy]:
    return list(
        Allergy.objects.filter(
            patient=patient, status=Allergy.Status.ACTIVE
        ).select_related("recorded_by")[:100]
    )


# The order of benefits: priority, then the newest plan of that priority.
