"""Issue #16 item 3: a check-in, a no-show or a completion made by mistake is undone
the same day, with a reason, and what it started is taken back."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alerts.models import Notification, StaffAlert
from automations.models import AutomationRun, Event, ScheduledWait
from automations.sweepers import automations_sweep
from billing.exceptions import BillingError
from billing.models import Charge, Claim
from clinic.models import AccessLog
from scheduling import services
from scheduling.exceptions import CannotUndo
from scheduling.models import Appointment
from scheduling.services import S, appointment_undo
from tests.automations.factories import ActionFactory, AutomationFactory
from tests.billing.factories import billed_claim, fee_schedule
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def frontdesk(make_user):
    return make_user("Front desk")


def _drain():
    """What the sweeper does every minute: process events, fire due waits."""
    automations_sweep(timezone.now() + timedelta(minutes=1))


def _started(minutes_ago: int, **extra) -> Appointment:
    return AppointmentFactory(
        start=timezone.now() - timedelta(minutes=minutes_ago), **extra
    )


def _texting_patient():
    return PatientFactory(
        phone_mobile="+15551230001", sms_consent=True, sms_consent_method="verbal"
    )


def test_undo_of_a_check_in_returns_the_visit_to_confirmed(frontdesk):
    visit = _started(5)
    services.appointment_confirm(appointment=visit, actor=frontdesk)
    services.appointment_check_in(
        appointment=visit, actor=frontdesk, copay_collected=Decimal("20")
    )
    undone = appointment_undo(
        appointment=visit, actor=frontdesk, reason="Checked in the wrong Maria"
    )
    undone.refresh_from_db()
    assert (undone.status, undone.arrived_at, undone.arrived_by) == (
        S.CONFIRMED,
        None,
        None,
    )
    assert undone.status_reason == "Checked in the wrong Maria"
    last = undone.history.order_by("history_id").last()
    assert last.history_change_reason == "check-in undone: Checked in the wrong Maria"
    # The right patient can be checked in again.
    services.appointment_check_in(appointment=undone, actor=frontdesk)
    assert Appointment.objects.get(pk=visit.pk).status == S.ARRIVED


def test_an_undo_needs_a_reason_and_changes_nothing_without(frontdesk):
    visit = _started(30)
    services.appointment_mark_no_show(appointment=visit, actor=frontdesk)
    with pytest.raises(ValidationError) as refused:
        appointment_undo(appointment=visit, actor=frontdesk, reason="   ")
    assert refused.value.message_dict == {
        "reason": ["Give a reason; it is kept in the appointment's history."]
    }
    visit.refresh_from_db()
    assert visit.status == S.NO_SHOW
    assert StaffAlert.objects.get().status == "open"


def test_undo_of_a_no_show_resolves_the_built_in_follow_up_task(frontdesk):
    visit = _started(30)
    services.appointment_mark_no_show(appointment=visit, actor=frontdesk)
    task = StaffAlert.objects.get(kind="no_show_follow_up")
    appointment_undo(
        appointment=visit, actor=frontdesk, reason="She was in the waiting room"
    )
    visit.refresh_from_db()
    task.refresh_from_db()
    assert (visit.status, visit.no_show_at, visit.no_show_by) == (
        S.SCHEDULED,
        None,
        None,
    )
    assert visit.no_show_undone_at is not None
    assert (task.status, task.resolved_by, task.note) == (
        "resolved",
        frontdesk,
        "no-show undone: She was in the waiting room",
    )


def test_undo_of_a_no_show_cancels_what_its_automations_still_had_pending(
    frontdesk,
):
    # A task for the front desk (replaces the built-in one), a text right away,
    # and a text after a day's wait.
    task_maker = AutomationFactory(trigger="appointment.no_show")
    ActionFactory(automation=task_maker, position=0, title="Rebook {patient_name}")
    texter = AutomationFactory(trigger="appointment.no_show")
    ActionFactory(
        automation=texter,
        position=0,
        kind="send_message",
        channel="sms",
        role="",
        title="",
        body="We missed you, {patient}.",
    )
    later = AutomationFactory(trigger="appointment.no_show")
    ActionFactory(automation=later, position=0, kind="wait", wait_minutes=24 * 60)
    ActionFactory(
        automation=later,
        position=1,
        kind="send_message",
        channel="sms",
        role="",
        title="",
        body="Still want to rebook, {patient}?",
    )
    visit = _started(30, patient=_texting_patient())
    services.appointment_mark_no_show(appointment=visit, actor=frontdesk)
    _drain()
    task = StaffAlert.objects.get()
    assert task.kind == "task"
    message = Notification.objects.get()
    assert message.status == "pending"
    wait = ScheduledWait.objects.get()
    assert AutomationRun.objects.get(automation=later).status == "waiting"

    appointment_undo(appointment=visit, actor=frontdesk, reason="Arrived late")

    task.refresh_from_db()
    message.refresh_from_db()
    wait.refresh_from_db()
    assert task.status == "resolved"
    assert task.note == "withdrawn: Arrived late"
    assert (message.status, message.last_error) == (
        "cancelled",
        "withdrawn: Arrived late",
    )
    assert wait.status == "cancelled"
    runs = dict(AutomationRun.objects.values_list("automation_id", "status"))
    assert runs == {task_maker.pk: "done", texter.pk: "done", later.pk: "cancelled"}
    # Nothing fires later: the wait is over, no second text is written.
    automations_sweep(timezone.now() + timedelta(days=2))
    assert Notification.objects.count() == 1


def test_a_no_show_undone_before_its_event_was_processed_starts_nothing(
    frontdesk,
):
    automation = AutomationFactory(trigger="appointment.no_show")
    ActionFactory(automation=automation, position=0, title="Rebook {patient_name}")
    visit = _started(30)
    services.appointment_mark_no_show(appointment=visit, actor=frontdesk)
    appointment_undo(appointment=visit, actor=frontdesk, reason="Mistake")
    event = Event.objects.get(kind="appointment.no_show")
    assert event.processed_at is not None
    assert event.note == "withdrawn: Mistake"
    _drain()
    assert not AutomationRun.objects.exists()
    assert not StaffAlert.objects.exists()


@pytest.mark.usefixtures("clinic_midday")
def test_the_sweeper_leaves_a_visit_whose_no_show_was_undone(frontdesk, settings):
    settings.SCHEDULING_NO_SHOW_MINUTES = 30
    visit = _started(45)
    assert services.no_show_sweep(now=timezone.now()) == 1
    appointment_undo(appointment=visit, actor=frontdesk, reason="Was in room 3")
    assert services.no_show_sweep(now=timezone.now()) == 0
    visit.refresh_from_db()
    assert visit.status == S.SCHEDULED
    services.appointment_check_in(appointment=visit, actor=frontdesk)


def test_a_no_show_is_not_undone_when_its_time_went_to_another_visit(frontdesk):
    visit = _started(30)
    services.appointment_mark_no_show(appointment=visit, actor=frontdesk)
    AppointmentFactory(
        provider=visit.provider,
        start=visit.start,
        appointment_type=visit.appointment_type,
    )
    with pytest.raises(CannotUndo) as refused:
        appointment_undo(appointment=visit, actor=frontdesk, reason="Mistake")
    assert "given to another visit" in refused.value.message
    visit.refresh_from_db()
    assert visit.status == S.NO_SHOW
    assert StaffAlert.objects.get().status == "open"


def test_a_change_made_yesterday_is_not_undone(frontdesk):
    yesterday = timezone.now() - timedelta(days=1)
    visit = _started(
        24 * 60 + 30, status=S.NO_SHOW, no_show_at=yesterday, no_show_by=frontdesk
    )
    with pytest.raises(CannotUndo) as refused:
        appointment_undo(appointment=visit, actor=frontdesk, reason="Mistake")
    day = timezone.localtime(yesterday)
    assert refused.value.message == (
        "Only a change made today can be undone; this one was made on "
        f"{day:%a %d %b %Y}."
    )
    assert Appointment.objects.get(pk=visit.pk).status == S.NO_SHOW


def test_only_a_check_in_no_show_or_completion_is_undone(frontdesk):
    visit = _started(5, status=S.IN_ROOM, in_room_at=timezone.now())
    with pytest.raises(CannotUndo) as refused:
        appointment_undo(appointment=visit, actor=frontdesk, reason="Mistake")
    assert refused.value.message == (
        "A visit that is In room has no check-in, no-show or completion to undo."
    )


def _completed_today(actor) -> Appointment:
    fee_schedule()
    visit = _started(
        20,
        status=S.IN_ROOM,
        appointment_type=AppointmentTypeFactory(billing_code="99214"),
    )
    return services.appointment_complete(appointment=visit, actor=actor)


def test_undo_of_a_completion_takes_back_its_draft_charges(frontdesk):
    visit = _completed_today(frontdesk)
    charge = Charge.objects.get(appointment=visit)
    assert charge.status == "draft"
    appointment_undo(appointment=visit, actor=frontdesk, reason="Wrong visit closed")
    visit.refresh_from_db()
    charge.refresh_from_db()
    assert (visit.status, visit.completed_at) == (S.IN_ROOM, None)
    assert charge.status == "void"
    assert (
        charge.history.order_by("history_id").last().history_change_reason
        == "Visit completion undone: Wrong visit closed"
    )
    # Completing it again captures fresh draft charges.
    services.appointment_complete(appointment=visit, actor=frontdesk)
    assert list(
        Charge.objects.filter(appointment=visit)
        .order_by("pk")
        .values_list("code", "status")
    ) == [("99214", "void"), ("99214", "draft")]


@pytest.mark.parametrize("claim_status", ["draft", "submitted"])
def test_undo_of_a_completion_is_refused_once_billing_made_a_claim(
    frontdesk, claim_status
):
    claim = billed_claim(day=timezone.localdate())
    Claim.objects.filter(pk=claim.pk).update(status=claim_status)
    visit = claim.appointment
    Appointment.objects.filter(pk=visit.pk).update(completed_at=timezone.now())
    with pytest.raises(BillingError) as refused:
        appointment_undo(appointment=visit, actor=frontdesk, reason="Mistake")
    label = dict(Claim.Status.choices)[claim_status]
    assert refused.value.message == (
        f"Billing has made claim {claim.claim_number} ({label}) for this visit: its "
        "completion cannot be undone. Billing corrects or voids the claim instead."
    )
    visit.refresh_from_db()
    assert visit.status == S.COMPLETED
    assert set(visit.charges.values_list("status", flat=True)) == {"billed"}


def test_the_undo_page_asks_a_reason_then_undoes(client, frontdesk):
    visit = _started(30)
    services.appointment_mark_no_show(appointment=visit, actor=frontdesk)
    client.force_login(frontdesk)
    detail = reverse("scheduling:appointment-detail", args=[visit.pk])
    assert "Undo no-show" in client.get(detail).content.decode()
    url = reverse("scheduling:appointment-undo", args=[visit.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]  # a page about one patient
    assert AccessLog.objects.filter(
        user=frontdesk, patient=visit.patient, what="undo"
    ).exists()
    assert "its no-show follow-up task is resolved" in page.content.decode()
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert refused.context["form"].errors == {"reason": ["This field is required."]}
    assert Appointment.objects.get(pk=visit.pk).status == S.NO_SHOW
    response = client.post(url, {"reason": "x" * 201})
    assert response.status_code == 200
    assert Appointment.objects.get(pk=visit.pk).status == S.NO_SHOW
    response = client.post(url, {"reason": "Arrived at the other desk"})
    assert response.status_code == 302 and response["Location"] == detail
    assert Appointment.objects.get(pk=visit.pk).status == S.SCHEDULED
    # Nothing left to undo: the page says so, a post changes nothing.
    again = client.post(url, {"reason": "again"})
    assert again.status_code == 200
    assert "no check-in, no-show or completion to undo" in again.content.decode()


def test_the_undo_button_is_gone_the_next_day(client, frontdesk):
    yesterday = timezone.now() - timedelta(days=1)
    visit = _started(
        24 * 60 + 30, status=S.NO_SHOW, no_show_at=yesterday, no_show_by=frontdesk
    )
    client.force_login(frontdesk)
    detail = client.get(reverse("scheduling:appointment-detail", args=[visit.pk]))
    assert "Undo no-show" not in detail.content.decode()
    page = client.get(reverse("scheduling:appointment-undo", args=[visit.pk]))
    assert "can only be undone on the day it was done" in page.content.decode()
