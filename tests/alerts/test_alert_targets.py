"""Issue #18 item 1: every alert and task leads to its work.

Each kind in ``alerts.kinds.KINDS`` is raised about a real record, the way its app
raises it (same subject, same role or user), and the link the inbox shows answers
200 to the user it is for: the dose's give form, the result's acknowledge form,
the claim, the patient's messages, the slot finder filled in for a rebook.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.kinds import KINDS, target_of
from alerts.models import Notification, StaffAlert
from alerts.services import alert_raise
from diagnostics import services as diagnostics_services
from diagnostics.models import TestDefinition
from medications.models import ScheduledDose
from registration.models import BreakGlassGrant
from tests.billing.factories import billed_claim
from tests.diagnostics.factories import make_order
from tests.medications.factories import MedicationOrderFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def _sample(kind: str, users) -> tuple[dict, object]:
    """alert_raise arguments for one kind, and the user who opens it."""
    patient = PatientFactory(phone_mobile="+15551230000")
    nurse, desk = users["Nurse"], users["Front desk"]
    if kind in ("task", "automation"):
        visit = AppointmentFactory(patient=patient)
        return {"patient": patient, "subject": visit, "role": "Front desk"}, desk
    if kind in ("patient_reply", "callback_request", "eligibility_failed"):
        return {"patient": patient, "role": "Front desk"}, desk
    if kind == "message_failed":
        row = Notification.objects.create(
            patient=patient,
            channel="sms",
            address="+15551230000",
            body="Reminder",
            status="failed",
            scheduled_for=timezone.now(),
            due_at=timezone.now(),
        )
        return {"patient": patient, "subject": row, "role": "Front desk"}, desk
    if kind in ("no_show_follow_up", "cancelled_by_text"):
        visit = AppointmentFactory(patient=patient)
        return {"patient": patient, "subject": visit, "role": "Front desk"}, desk
    if kind == "dose_overdue":
        order = MedicationOrderFactory(patient=patient)
        dose = ScheduledDose.objects.create(
            order=order, due_at=timezone.now() - timedelta(minutes=45)
        )
        return {"patient": patient, "subject": dose, "role": "Nurse"}, nurse
    if kind in ("critical_result", "result_to_review"):
        doctor = users["Clinician"]
        order = make_order(patient=patient, actor=doctor, panels=(), tests=("GLU",))
        [glucose] = diagnostics_services.results_enter(
            order=order,
            values={TestDefinition.objects.get(code="GLU"): "38"},
            actor=nurse,
        )
        subject = glucose if kind == "critical_result" else order
        return {"patient": patient, "subject": subject, "user": doctor}, doctor
    if kind in ("claim_denied", "claim_rejected"):
        claim = billed_claim()
        return {"patient": claim.patient, "subject": claim, "role": "Billing"}, users[
            "Billing"
        ]
    if kind == "break_glass":
        grant = BreakGlassGrant.objects.create(
            user=nurse,
            patient=patient,
            reason=BreakGlassGrant.Reason.values[0],
            reason_text="Covering a colleague",
            expires_at=timezone.now() + timedelta(hours=1),
        )
        return {"subject": grant, "role": "Administrator"}, users["Administrator"]
    if kind == "password_spraying":
        return {"role": "Administrator"}, users["Administrator"]
    raise AssertionError(f"no sample for alert kind {kind!r}: add one here")


@pytest.fixture
def users(make_user):
    return {
        role: make_user(role)
        for role in ("Nurse", "Front desk", "Clinician", "Billing", "Administrator")
    }


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_alert_kind_leads_to_a_page_its_user_can_open(kind, users, client):
    arguments, user = _sample(kind, users)
    alert = alert_raise(kind=kind, title=f"A {kind}", **arguments)
    alert = StaffAlert.objects.get(pk=alert.pk)
    url = target_of(alert)
    assert url, f"{kind} leads nowhere"
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, f"{kind} → {url}: {response.status_code}"
    inbox = client.get(reverse("alerts:inbox")).content.decode()
    assert f'href="{url}"'.replace("&", "&amp;") in inbox, "the inbox links it"


def test_a_no_show_leads_to_the_slot_finder_for_that_patient_and_visit_type(
    users, client
):
    arguments, user = _sample("no_show_follow_up", users)
    alert = alert_raise(kind="no_show_follow_up", title="No-show", **arguments)
    visit = arguments["subject"]
    url = target_of(StaffAlert.objects.get(pk=alert.pk))
    assert url.startswith(reverse("scheduling:find") + "?")
    assert f"patient={visit.patient.mrn}" in url
    assert f"appointment_type={visit.appointment_type_id}" in url
    client.force_login(user)
    form = client.get(url).context["form"]
    assert form["patient"].value() == visit.patient.mrn


def test_a_call_back_shows_the_number_to_call_and_patient_names_link_the_chart(
    users, client
):
    arguments, user = _sample("callback_request", users)
    alert_raise(kind="callback_request", title="Call me", **arguments)
    client.force_login(user)
    page = client.get(reverse("alerts:inbox")).content.decode()
    assert 'href="tel:+15551230000"' in page
    chart = reverse("registration:patient-chart", args=[arguments["patient"].pk])
    assert f'href="{chart}"' in page
    assert f'href="{chart}#panel-messages"' in page
