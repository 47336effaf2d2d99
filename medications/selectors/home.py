"""The home medication list and its reviews: what the chart, the review page, the
order checks and the care plans read."""

from django.db.models import Prefetch, QuerySet

from medications.models import (
    REVIEW_OPEN,
    HomeMedication,
    MedicationReconciliation,
    ReconciliationDecision,
)

H = HomeMedication.Status


def home_medications(*, patient, include_stopped: bool = False) -> QuerySet:
    """The patient's home list, taking first (never the entered-in-error rows)."""
    rows = HomeMedication.objects.filter(patient=patient).exclude(
        status=H.ENTERED_IN_ERROR
    )
    if not include_stopped:
        rows = rows.filter(status=H.ACTIVE)
    return rows.select_related(
        "medication", "prescriber_staff", "recorded_by"
    ).order_by("status", "name", "medication__name", "pk")


def home_medications_sharing(*, patient, ingredients: list[str]) -> list:
    """Active home medications that share an ingredient (or a name) with the
    given ingredient names, compared case-insensitively."""
    wanted = {name.strip().lower() for name in ingredients if name.strip()}
    found = []
    for home in home_medications(patient=patient):
        names = set(home.ingredient_names) | {home.drug_name.strip().lower()}
        if names & wanted:
            found.append(home)
    return found


def home_reactions(*, patient) -> QuerySet:
    """Home medications the patient stopped after a reaction (the order checks
    treat them like allergies)."""
    return (
        HomeMedication.objects.filter(patient=patient, status=H.STOPPED)
        .exclude(reaction="")
        .select_related("medication")
    )


def reconciliation_open(*, patient) -> MedicationReconciliation | None:
    return (
        MedicationReconciliation.objects.filter(REVIEW_OPEN, patient=patient)
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=ReconciliationDecision.objects.select_related("decided_by"),
            )
        )
        .first()
    )


def reconciliation_last(*, patient) -> MedicationReconciliation | None:
    """The patient's latest completed review, or None (never reviewed)."""
    return (
        MedicationReconciliation.objects.filter(
            patient=patient, completed_at__isnull=False
        )
        .select_related("completed_by")
        .order_by("-completed_at")
        .first()
    )


def reconciliations_completed(*, patient_ids) -> QuerySet:
    """Completed reviews of these patients (care plans' medication-review
    activities complete with them)."""
    return MedicationReconciliation.objects.filter(
        patient_id__in=list(patient_ids), completed_at__isnull=False
    )
