from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from clinic.management.commands.seed_demo import DEMO_PASSWORD
from clinic.permissions import role_of
from registration.models import Patient, PatientContact
from scheduling.models import Appointment, Location, WaitlistEntry

pytestmark = pytest.mark.django_db
User = get_user_model()


def _seed(seed=7, patients=10):
    out = StringIO()
    call_command(
        "seed_demo", "--patients", str(patients), "--seed", str(seed), stdout=out
    )
    return out.getvalue()


def _delete_medication_records():
    """Medication records protect their patients; the test starts over without."""
    from alerts.models import InboundMessage, Notification, StaffAlert, WaitlistOffer
    from medications.models import Administration, MedicationOrder, ScheduledDose

    for model in (WaitlistOffer, InboundMessage, Notification):
        for row in model.objects.order_by("-pk"):
            row.delete()
    for model in (StaffAlert, Administration, ScheduledDose, MedicationOrder):
        for row in model.objects.all():
            row.delete()


def _delete_care_plan_records():
    """Plans, problems, home medications and the plans' lab orders protect their
    patients too."""
    from careplans.models import CarePlan, EducationContact, Goal, PlanActivity, Problem
    from diagnostics.models import (
        CriticalAcknowledgement,
        DiagnosticOrder,
        Observation,
        OrderedTest,
        Specimen,
    )
    from medications.models import (
        HomeMedication,
        MedicationReconciliation,
        ReconciliationDecision,
    )

    for model in (
        EducationContact,
        PlanActivity,
        Goal,
        CarePlan,
        Problem,
        ReconciliationDecision,
        MedicationReconciliation,
        HomeMedication,
        CriticalAcknowledgement,
        Observation,
        Specimen,
        OrderedTest,
        DiagnosticOrder,
    ):
        for row in model.objects.all():
            row.delete()


def _delete_billing_records():
    """Claims and charges protect their visits; replacements protect originals."""
    from billing.models import Charge, Claim, ClaimPayment, Remittance

    ClaimPayment.objects.all().delete()
    Remittance.objects.all().delete()
    while Claim.objects.exists():
        Claim.objects.filter(
            secondary_claims__isnull=True, replacements__isnull=True
        ).delete()
    Charge.objects.all().delete()


def test_seed_creates_one_user_per_role_who_can_log_in(client):
    output = _seed()
    assert DEMO_PASSWORD in output
    expected = {
        "frontdesk": "Front desk",
        "nurse": "Nurse",
        "clinician": "Clinician",
        "billing": "Billing",
        "admin": "Administrator",
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert role_of(user) == role
        response = client.post(
            "/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        client.logout()
    assert Location.objects.filter(code__in=["main", "infusion", "lab"]).count() == 3
    # Every address the demo makes is one an 837P takes (it once made "PW").
    from clinic.code_lists import is_state_or_province

    states = set(Patient.objects.values_list("state", "country"))
    assert states and all(is_state_or_province(s, c) for s, c in states), states


def test_seed_is_deterministic_and_safe_to_run_again():
    _seed(seed=7)
    first = list(
        Patient.objects.order_by("mrn").values_list("family_name", "birth_date")
    )
    _seed(seed=7)
    # Ten patients, the Alvarez children and Walter Kim (registration.demo), and
    # three new patients before a first visit (selfservice.demo).
    assert Patient.objects.count() == 10 + 3 + 3
    assert PatientContact.objects.count() == 3
    assert User.objects.count() == 6  # one per role and a second nurse (witness)
    _delete_medication_records()
    _delete_care_plan_records()
    _delete_billing_records()
    # Demo visits and waitlist entries keep their patients (PROTECT): remove first.
    WaitlistEntry.objects.all().delete()
    Appointment.objects.all().delete()
    PatientContact.objects.all().delete()
    Patient.objects.all().delete()
    _seed(seed=7)
    again = list(
        Patient.objects.order_by("mrn").values_list("family_name", "birth_date")
    )
    assert again == first
