"""The home medication list: its review with the patient and the order checks."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from medications import services
from medications.exceptions import DuplicateTherapy, ReconciliationNotOpen
from medications.models import HomeMedication, ReconciliationDecision
from medications.services import HomeDrug
from tests.medications.factories import MedicationFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import LocationFactory

pytestmark = pytest.mark.django_db

D = ReconciliationDecision.Decision


def _home(patient, nurse, name="Metformin", ingredients=("metformin",)):
    return services.home_medication_add(
        patient=patient,
        drug=HomeDrug(
            name=name,
            typed_reason="Brand from abroad",
            ingredients=ingredients,
            dose="500 mg",
            frequency="twice a day",
            prescriber_outside="Dr Away",
        ),
        actor=nurse,
    )


def test_a_typed_drug_needs_its_name_and_the_reason_it_is_typed(make_user):
    with pytest.raises(ValidationError) as error:
        services.home_medication_add(
            patient=PatientFactory(),
            drug=HomeDrug(name="Metformin", dose="500 mg", frequency="daily"),
            actor=make_user("Nurse"),
        )
    assert error.value.message_dict == {
        "typed_reason": [
            "Say why the drug is typed rather than taken from the formulary."
        ]
    }
    assert HomeMedication.objects.count() == 0


def test_a_home_medication_sharing_an_ingredient_asks_to_confirm_the_order(
    make_user,
):
    patient = PatientFactory()
    _home(patient, make_user("Nurse"))
    drug = MedicationFactory(name="Glucophage XR", ingredients=["Metformin"])
    order = {
        "patient": patient,
        "location": LocationFactory(),
        "medication": drug,
        "dose": Decimal("500"),
        "dose_unit": "mg",
        "route": "PO",
        "frequency": "interval",
        "interval_hours": 12,
        "actor": make_user("Clinician"),
    }
    with pytest.raises(DuplicateTherapy) as refused:
        services.order_create(**order)
    assert refused.value.message == (
        "Duplicate therapy: the patient takes Metformin 500 mg twice a day at home, "
        "which shares an ingredient with Glucophage XR. Confirm to order it as well."
    )
    made = services.order_create(**order, confirm_duplicate=True)
    assert made.history.first().history_change_reason.endswith(
        "duplicate therapy confirmed"
    )


def test_a_stopped_home_medication_is_no_duplicate(make_user):
    patient = PatientFactory()
    nurse = make_user("Nurse")
    home = _home(patient, nurse)
    review = services.reconciliation_start(patient=patient, actor=nurse)
    services.reconciliation_decide(
        reconciliation=review, home_medication=home, decision=D.STOPPED, actor=nurse
    )
    order = services.order_create(
        patient=patient,
        location=LocationFactory(),
        medication=MedicationFactory(ingredients=["metformin"]),
        dose=Decimal("500"),
        dose_unit="mg",
        route="PO",
        frequency="interval",
        interval_hours=12,
        actor=make_user("Clinician"),
    )
    assert order.pk is not None


def test_the_review_records_each_decision_with_who_and_when(make_user):
    patient = PatientFactory()
    nurse, other = make_user("Nurse"), make_user("Nurse")
    kept = _home(patient, nurse)
    changed = _home(patient, nurse, name="Lisinopril", ingredients=("lisinopril",))
    stopped = _home(patient, nurse, name="Aspirin", ingredients=("aspirin",))
    review = services.reconciliation_start(patient=patient, actor=nurse)
    assert services.reconciliation_start(patient=patient, actor=other) == review
    services.reconciliation_decide(
        reconciliation=review, home_medication=kept, decision=D.KEPT, actor=nurse
    )
    services.reconciliation_decide(
        reconciliation=review,
        home_medication=changed,
        decision=D.CHANGED,
        dose="20 mg",
        actor=other,
    )
    with pytest.raises(ValidationError) as undecided:
        services.reconciliation_complete(reconciliation=review, actor=nurse)
    assert undecided.value.messages == ["Decide about every medication first: Aspirin."]
    services.reconciliation_decide(
        reconciliation=review, home_medication=stopped, decision=D.STOPPED, actor=nurse
    )
    new = services.home_medication_add(
        patient=patient,
        drug=HomeDrug(medication=MedicationFactory(), dose="1 tab", frequency="daily"),
        actor=other,
        reconciliation=review,
    )
    services.reconciliation_complete(reconciliation=review, actor=nurse)

    rows = {
        d.home_medication_id: (d.decision, d.decided_by, d.detail)
        for d in review.decisions.all()
    }
    assert rows == {
        kept.pk: (D.KEPT, nurse, ""),
        changed.pk: (D.CHANGED, other, "dose 500 mg → 20 mg"),
        stopped.pk: (D.STOPPED, nurse, ""),
        new.pk: (D.NEW, other, ""),
    }
    assert all(d.decided_at is not None for d in review.decisions.all())
    changed.refresh_from_db()
    stopped.refresh_from_db()
    assert changed.dose == "20 mg" and changed.history.count() == 2
    assert stopped.status == HomeMedication.Status.STOPPED and stopped.stopped_on
    review.refresh_from_db()
    assert review.completed_by == nurse
    with pytest.raises(ReconciliationNotOpen):
        services.reconciliation_decide(
            reconciliation=review, home_medication=kept, decision=D.KEPT, actor=nurse
        )
