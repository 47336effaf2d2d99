"""The home medication list and its review with the patient (reconciliation).

A review records one decision per home medication (kept, changed, stopped, new),
each with who decided and when; it completes once every medication the patient
was taking has a decision. Nurses and clinicians review; the chart shows when
the list was last reviewed.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.clock import today
from medications.exceptions import ReconciliationNotOpen
from medications.models import (
    REVIEW_OPEN,
    HomeMedication,
    Medication,
    MedicationReconciliation,
    ReconciliationDecision,
)
from medications.selectors.home import home_medications

H = HomeMedication.Status
D = ReconciliationDecision.Decision

DRUG_REQUIRED = _("Pick a drug from the formulary or type its name.")
REASON_REQUIRED = _("Say why the drug is typed rather than taken from the formulary.")
NOTHING_CHANGED = _("Give the new dose or how often: nothing changed.")
NOT_OPEN = _("This medication review is already completed; start a new one.")
NOT_ON_LIST = _("%(drug)s is not on this patient's home list.")
UNDECIDED = _("Decide about every medication first: %(drugs)s.")
STOP_BEFORE_START = _("The stop date is before the start date.")
REACTION_ONLY_WHEN_STOPPED = _("A reaction is recorded only with a stop.")


@dataclass
class HomeDrug:
    """What is typed about one home medication."""

    dose: str
    frequency: str
    medication: Medication | None = None
    name: str = ""
    rxnorm_code: str = ""
    typed_reason: str = ""
    ingredients: tuple[str, ...] = ()
    prescriber_staff: object = None
    prescriber_outside: str = ""
    started_on: date | None = None


def _drug_errors(drug: HomeDrug) -> dict[str, str]:
    errors = {}
    if drug.medication is None:
        if not drug.name.strip():
            errors["name"] = DRUG_REQUIRED
        elif not drug.typed_reason.strip():
            errors["typed_reason"] = REASON_REQUIRED
    return errors


def home_medication_add(
    *,
    patient,
    drug: HomeDrug,
    actor,
    reconciliation: MedicationReconciliation | None = None,
    now: datetime | None = None,
) -> HomeMedication:
    """A drug the patient takes at home; inside an open review it is decided "new"."""
    errors = _drug_errors(drug)
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    home = HomeMedication(
        patient=patient,
        medication=drug.medication,
        name="" if drug.medication else drug.name.strip(),
        rxnorm_code=(
            drug.medication.rxnorm_code if drug.medication else drug.rxnorm_code
        ).strip(),
        typed_reason="" if drug.medication else drug.typed_reason.strip(),
        ingredients=[] if drug.medication else [i.strip() for i in drug.ingredients],
        dose=drug.dose.strip(),
        frequency=drug.frequency.strip(),
        prescriber_staff=drug.prescriber_staff,
        prescriber_outside=drug.prescriber_outside.strip(),
        started_on=drug.started_on,
        recorded_by=actor,
    )
    home.full_clean()
    with transaction.atomic():
        home._change_reason = "added to the home list"
        home.save()
        if reconciliation is not None:
            _decide(reconciliation, home, D.NEW, actor, now, "")
    return home


def reconciliation_start(
    *, patient, actor, appointment=None, now: datetime | None = None
) -> MedicationReconciliation:
    """The patient's open review, or a new one (one open at a time: a constraint)."""
    now = now or timezone.now()
    open_review = MedicationReconciliation.objects.filter(
        REVIEW_OPEN, patient=patient
    ).first()
    if open_review is not None:
        return open_review
    review = MedicationReconciliation(
        patient=patient, appointment=appointment, started_by=actor, started_at=now
    )
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        # Someone started one at the same moment: share it.
        return MedicationReconciliation.objects.get(REVIEW_OPEN, patient=patient)
    return review


def _locked_open(reconciliation) -> MedicationReconciliation:
    review = (
        MedicationReconciliation.objects.select_for_update()
        .filter(REVIEW_OPEN, pk=reconciliation.pk)
        .first()
    )
    if review is None:
        raise ReconciliationNotOpen(NOT_OPEN)
    return review


def _decide(review, home, decision, actor, now, detail) -> ReconciliationDecision:
    row, _created = ReconciliationDecision.objects.update_or_create(
        reconciliation=review,
        home_medication=home,
        defaults={
            "decision": decision,
            "detail": detail[:200],
            "decided_by": actor,
            "decided_at": now,
        },
    )
    return row


def reconciliation_decide(
    *,
    reconciliation: MedicationReconciliation,
    home_medication: HomeMedication,
    decision: str,
    actor,
    dose: str = "",
    frequency: str = "",
    reaction: str = "",
    now: datetime | None = None,
) -> ReconciliationDecision:
    """Kept leaves the drug as it is; changed needs a new dose or frequency (the old
    one stays in history); stopped ends it today, with the reaction it was
    stopped after if any (new orders sharing an ingredient then meet it as an
    allergy). Deciding again replaces the decision (with its who and when); the
    earlier one stays in history."""
    now = now or timezone.now()
    reaction = reaction.strip()
    if decision not in (D.KEPT, D.CHANGED, D.STOPPED):
        raise ValidationError({"decision": _("Choose kept, changed or stopped.")})
    if reaction and decision != D.STOPPED:
        raise ValidationError({"reaction": REACTION_ONLY_WHEN_STOPPED})
    with transaction.atomic():
        review = _locked_open(reconciliation)
        home = (
            HomeMedication.objects.select_for_update()
            .filter(pk=home_medication.pk, patient_id=review.patient_id)
            .first()
        )
        if home is None:
            raise ValidationError(NOT_ON_LIST % {"drug": home_medication.drug_name})
        detail = ""
        if decision == D.CHANGED:
            changes = {
                name: value.strip()
                for name, value in (("dose", dose), ("frequency", frequency))
                if value.strip() and value.strip() != getattr(home, name)
            }
            if not changes:
                raise ValidationError({"dose": NOTHING_CHANGED})
            detail = "; ".join(
                f"{name} {getattr(home, name)} → {value}"
                for name, value in changes.items()
            )
            for name, value in changes.items():
                setattr(home, name, value)
            home._change_reason = f"changed in medication review {review.pk}"
            home.save()
        elif decision == D.STOPPED and (home.status == H.ACTIVE or reaction):
            if home.status == H.ACTIVE:
                home.status = H.STOPPED
                home.stopped_on = today(now)
            home.reaction = reaction[:200] or home.reaction
            detail = reaction and f"after {reaction}"
            home._change_reason = f"stopped in medication review {review.pk}"
            home.save()
        return _decide(review, home, decision, actor, now, detail)


def reconciliation_complete(
    *, reconciliation: MedicationReconciliation, actor, now: datetime | None = None
) -> MedicationReconciliation:
    """A review completes once every drug the patient is taking has a decision."""
    now = now or timezone.now()
    with transaction.atomic():
        review = _locked_open(reconciliation)
        decided = set(review.decisions.values_list("home_medication_id", flat=True))
        undecided = [
            home.drug_name
            for home in home_medications(patient=review.patient)
            if home.pk not in decided
        ]
        if undecided:
            raise ValidationError(UNDECIDED % {"drugs": ", ".join(undecided)})
        review.completed_by = actor
        review.completed_at = now
        review._change_reason = "completed"
        review.save()
    return review


def reconciliations_merge(*, survivor, duplicate, note: str, actor) -> None:
    """A patient merge keeps one open medication review: when both patients have
    one, the duplicate's decisions go on in the survivor's and the duplicate's
    review ends "merged into" it (never completed: nobody finished it). Every
    row keeps its history."""
    reviews = {
        review.patient_id: review
        for review in MedicationReconciliation.objects.select_for_update().filter(
            REVIEW_OPEN, patient__in=[survivor.pk, duplicate.pk]
        )
    }
    if len(reviews) < 2:
        return
    kept, ended = reviews[survivor.pk], reviews[duplicate.pk]
    for decision in ended.decisions.all():
        decision.reconciliation = kept
        decision._change_reason = note
        decision.save()
    ended.merged_into = kept
    ended._change_reason = note
    ended.save()
