"""Sample rows of the URL walk (see the package's docstring): billing, API
clients, automations, care plans, home medications, self-service links."""

from tests.registration.factories import (
    PatientFactory,
)
from tests.selfservice.support import small_clinic


def claim(users):
    from tests.billing.factories import billed_claim

    return {"pk": billed_claim().pk}, None


def claim_line(users):
    from tests.billing.factories import billed_claim

    claim = billed_claim(extra_codes=["36415"])
    return {"pk": claim.pk, "line": claim.lines.order_by("line_number")[1].pk}, None


def billing_visit(users):
    from tests.billing.factories import completed_visit

    return {"pk": completed_visit().pk}, None


def charge(users):
    from tests.billing.factories import completed_visit

    return {"pk": completed_visit().charges.get().pk}, None


def visit_diagnosis(users):
    from tests.billing.factories import completed_visit

    return {"pk": completed_visit().diagnoses.get().pk}, None


def submission_batch(users):
    from billing.services import claim_mark_ready, claims_submit
    from tests.billing.factories import billed_claim

    claim_mark_ready(claim=billed_claim(), actor=None)
    return {"pk": claims_submit(actor=None).pk}, None


def remittance(users):
    from decimal import Decimal

    from billing.models import ClaimPayment, Remittance

    remittance = Remittance.objects.create(
        trace_number="T1",
        payer_identifier="1999999999",
        payment_amount=Decimal("0.00"),
        file_name="sample.835",
        content="",
    )
    ClaimPayment.objects.create(
        remittance=remittance,
        patient_control_number="UNKNOWN-1",
        status_code="1",
        charge_amount=Decimal("10.00"),
        paid_amount=Decimal("0.00"),
    )
    return {"pk": remittance.pk}, None


def remittance_exception(users):
    from billing.models import ClaimPayment

    remittance(users)
    return {"pk": ClaimPayment.objects.latest("pk").pk}, None


def api_client(users):
    from smart.models import BackendClient

    client = BackendClient.objects.create(
        name="Sample EHR", jwks={"keys": []}, allowed_scopes="system/*.rs"
    )
    return {"pk": client.pk}, None


def automation(users):
    from tests.automations.factories import AutomationFactory

    return {"pk": AutomationFactory(enabled=False).pk}, None


def patient_lookup(users):
    PatientFactory(mrn="LOOKUP01")  # QUERIES types its MRN
    return {}, None


def automation_preview(users):
    # QUERIES names it as the sample patient, typed with a dash (MRNs are stored
    # in the normalised form that registration.selectors.patient_by_mrn matches).
    PatientFactory(mrn="PREVIEW1")
    return automation(users)


def automation_condition(users):
    from tests.automations.factories import ConditionFactory

    return {"pk": ConditionFactory().pk}, None


def automation_action(users):
    from tests.automations.factories import ActionFactory

    return {"pk": ActionFactory().pk}, None


def automation_run(users):
    from automations.events import publish
    from automations.models import AutomationRun
    from tests.automations.factories import AutomationFactory

    event = publish("patient.registered", patient=PatientFactory())
    run = AutomationRun.objects.create(automation=AutomationFactory(), event=event)
    return {"pk": run.pk}, None


def automation_starter(users):
    return {"slug": "no-show-follow-up"}, None


def problem(users):
    from tests.careplans.factories import diabetic_plan

    return {"pk": diabetic_plan().problem_id}, None


def care_plan(users):
    from tests.careplans.factories import diabetic_plan

    return {"pk": diabetic_plan().pk}, None


def education_activity(users):
    from tests.careplans.factories import diabetic_plan

    return {"pk": diabetic_plan().activities.get(kind="education").pk}, None


def home_medication(users):
    from medications.services import HomeDrug, home_medication_add

    home = home_medication_add(
        patient=PatientFactory(),
        drug=HomeDrug(
            name="Aspirin", typed_reason="OTC", dose="81 mg", frequency="daily"
        ),
        actor=users["Nurse"],
    )
    return {"pk": home.pk}, None


def own_link(users, purpose="visit"):
    """A new patient's first visit and its signed link (no log-in)."""
    from selfservice import links

    visit = small_clinic().book()
    return {"pk": visit.pk, "token": links.token_for(visit, purpose=purpose)}, None


def intake(users):
    from django.core.files.base import ContentFile

    from selfservice.services import intake_submit

    intake = intake_submit(appointment=small_clinic().book(), proposed={}, cards={})
    intake.card_front.save("card.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 9))
    return {"pk": intake.pk}, None
