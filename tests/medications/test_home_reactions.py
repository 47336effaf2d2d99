"""The allergy check of medication orders looks at the home list: a drug the
patient stopped at home after a reaction counts like a recorded allergy for a
new order sharing an ingredient."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from medications import services
from medications.exceptions import AllergyBlocked
from medications.models import HomeMedication, ReconciliationDecision
from medications.services.orders import allergy_matches
from tests.medications.factories import MedicationFactory, augmentin_add, home_stop
from tests.registration.factories import AllergyFactory, PatientFactory
from tests.scheduling.factories import LocationFactory

pytestmark = pytest.mark.django_db


def _order(patient, clinician, **more):
    return services.order_create(
        patient=patient,
        location=LocationFactory(),
        medication=MedicationFactory(name="Amoxil", ingredients=["Amoxicillin"]),
        dose=Decimal("500"),
        dose_unit="mg",
        route="PO",
        frequency="interval",
        interval_hours=8,
        actor=clinician,
        **more,
    )


def test_a_drug_stopped_at_home_after_a_reaction_blocks_an_order_like_an_allergy(
    make_user,
):
    patient, nurse, clinician = (
        PatientFactory(),
        make_user("Nurse"),
        make_user("Clinician"),
    )
    home = augmentin_add(patient, nurse)
    decision = home_stop(home, nurse)
    home.refresh_from_db()
    assert (home.status, home.reaction) == ("stopped", "rash")
    assert decision.detail == "after rash"

    with pytest.raises(AllergyBlocked) as refused:
        _order(patient, clinician)

    assert refused.value.message == (
        "Allergy: the patient is allergic to Augmentin (stopped at home after rash), "
        "which Amoxil contains. Give an override reason to order it anyway."
    )
    order = _order(patient, clinician, allergy_override_reason="Rash was mild")
    assert order.allergy_override_reason == "Rash was mild"
    assert "allergy override (Augmentin" in order.history.first().history_change_reason


def test_a_recorded_allergy_and_a_home_reaction_are_both_named(make_user):
    patient, nurse = PatientFactory(), make_user("Nurse")
    AllergyFactory(patient=patient, substance="Penicillin")
    home_stop(augmentin_add(patient, nurse), nurse)
    drug = MedicationFactory(name="Penicillin VK", ingredients=["amoxicillin"])

    assert allergy_matches(patient=patient, medication=drug) == [
        "Penicillin",
        "Augmentin (stopped at home after rash)",
    ]


def test_a_stop_without_a_reaction_or_a_drug_still_taken_is_no_allergy(make_user):
    patient, nurse = PatientFactory(), make_user("Nurse")
    home_stop(augmentin_add(patient, nurse), nurse, reaction="")
    drug = MedicationFactory(name="Amoxil", ingredients=["Amoxicillin"])
    assert allergy_matches(patient=patient, medication=drug) == []


def test_a_reaction_is_recorded_only_with_ahome_stop(make_user):
    patient, nurse = PatientFactory(), make_user("Nurse")
    home = augmentin_add(patient, nurse)
    review = services.reconciliation_start(patient=patient, actor=nurse)

    with pytest.raises(ValidationError) as refused:
        services.reconciliation_decide(
            reconciliation=review,
            home_medication=home,
            decision="kept",
            reaction="rash",
            actor=nurse,
        )

    assert refused.value.message_dict == {
        "reaction": ["A reaction is recorded only with a stop."]
    }
    home.refresh_from_db()
    assert (home.status, home.reaction) == ("active", "")
    assert ReconciliationDecision.objects.count() == 0


def test_the_review_page_records_the_reaction_and_refuses_it_without_ahome_stop(
    client, make_user
):
    patient, nurse = PatientFactory(), make_user("Nurse")
    home = augmentin_add(patient, nurse)
    client.force_login(nurse)
    client.post(reverse("medications:review-start", args=[patient.pk]))
    decide = reverse("medications:review-decide", args=[home.pk])

    bad = client.post(decide, {"decision": "kept", "reaction": "rash"}, follow=True)
    assert bad.status_code == 200
    assert "A reaction is recorded only with a stop." in bad.content.decode()
    assert ReconciliationDecision.objects.count() == 0

    client.post(decide, {"decision": "stopped", "reaction": "hives <b>"})
    assert HomeMedication.objects.get().reaction == "hives <b>"
    page = client.get(reverse("medications:home-list", args=[patient.pk]))
    assert "after hives &lt;b&gt;: counts as an allergy" in page.content.decode()
