"""Issue #16 item 3: a visit is checked in, roomed and completed on its day, and
marked no-show only after its start and a grace period; outside those times only
with the override permission and a reason, kept in history."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from alerts.models import StaffAlert
from billing.models import Charge
from scheduling import services, visit_windows
from scheduling.day_grid_html import ChipContext, chip_html
from scheduling.exceptions import OVERRIDE_FORBIDDEN, OutsideVisitWindow
from scheduling.models import Appointment
from scheduling.services import S
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory

pytestmark = pytest.mark.django_db


def _visit(starts_in: timedelta, **extra) -> Appointment:
    return AppointmentFactory(start=timezone.now() + starts_in, **extra)


def _reasons(appointment) -> list[str]:
    return [h.history_change_reason for h in appointment.history.order_by("history_id")]


@pytest.fixture
def frontdesk(make_user):
    return make_user("Front desk")


@pytest.fixture
def admin(make_user):
    return make_user("Administrator")


def test_only_administrators_hold_the_override_permission(role_users):
    holders = {
        role
        for role, user in role_users.items()
        if user.has_perm(visit_windows.OVERRIDE_PERMISSION)
    }
    assert holders == {"Administrator"}


def test_tomorrows_visit_cannot_be_checked_in_by_the_front_desk(frontdesk):
    visit = _visit(timedelta(days=1))
    with pytest.raises(OutsideVisitWindow) as refused:
        services.appointment_check_in(
            appointment=visit, actor=frontdesk, reason="Patient is here"
        )
    opens = timezone.localtime(visit.start - timedelta(hours=2))
    assert str(refused.value.message) == (
        f"Check-in is for the visit's day: it opens at "
        f"{opens:%a %d %b %Y %H:%M}. Only someone allowed to override the "
        "visit's times (an administrator) can do it now, with a reason."
    )
    visit.refresh_from_db()
    assert (visit.status, visit.arrived_at, visit.history.count()) == (
        S.SCHEDULED,
        None,
        1,
    )


def test_an_override_needs_a_reason_and_keeps_it_in_history(admin):
    visit = _visit(timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        services.appointment_check_in(appointment=visit, actor=admin, reason="  ")
    assert "give a reason" in refused.value.message_dict["reason"][0]
    visit.refresh_from_db()
    assert visit.status == S.SCHEDULED

    services.appointment_check_in(
        appointment=visit, actor=admin, reason="Came a day early, seen as walk-in"
    )
    visit.refresh_from_db()
    assert (visit.status, visit.arrived_by, visit.status_reason) == (
        S.ARRIVED,
        admin,
        "Came a day early, seen as walk-in",
    )
    assert _reasons(visit)[-1] == (
        "arrived outside the visit's time: Came a day early, seen as walk-in"
    )
    last = visit.history.order_by("history_id").last()
    assert last.status_reason == "Came a day early, seen as walk-in"


def test_check_in_opens_the_configured_time_before_the_start(settings, frontdesk):
    settings.VISIT_EARLY_CHECKIN_MINUTES = 120
    early = _visit(timedelta(minutes=110))
    too_early = _visit(timedelta(minutes=130))
    services.appointment_check_in(appointment=early, actor=frontdesk)
    with pytest.raises(OutsideVisitWindow):
        services.appointment_check_in(appointment=too_early, actor=frontdesk)
    settings.VISIT_EARLY_CHECKIN_MINUTES = 180
    services.appointment_check_in(appointment=too_early, actor=frontdesk)
    assert set(
        Appointment.objects.filter(pk__in=[early.pk, too_early.pk]).values_list(
            "status", flat=True
        )
    ) == {S.ARRIVED}


def test_yesterdays_visit_is_not_completed_the_next_day_without_override(
    frontdesk, admin
):
    visit = _visit(timedelta(days=-1), status=S.IN_ROOM)
    with pytest.raises(OutsideVisitWindow) as refused:
        services.appointment_complete(appointment=visit, actor=frontdesk)
    assert "Completion is for the visit's day, which ended at" in refused.value.message
    assert not Charge.objects.exists()
    services.appointment_complete(
        appointment=visit, actor=admin, reason="Forgot to close it yesterday"
    )
    visit.refresh_from_db()
    assert visit.status == S.COMPLETED
    assert _reasons(visit)[-1] == (
        "completed outside the visit's time: Forgot to close it yesterday"
    )


def test_a_visit_not_yet_started_is_not_marked_no_show(frontdesk, admin):
    tomorrow = _visit(timedelta(days=1))
    with pytest.raises(OutsideVisitWindow) as refused:
        services.appointment_mark_no_show(appointment=tomorrow, actor=frontdesk)
    assert refused.value.message.startswith(
        "A visit becomes a no-show only 15 minutes after its start, at "
    )
    tomorrow.refresh_from_db()
    assert tomorrow.status == S.SCHEDULED
    assert not StaffAlert.objects.exists()

    services.appointment_mark_no_show(
        appointment=tomorrow, actor=admin, reason="Patient phoned: will not come"
    )
    tomorrow.refresh_from_db()
    assert (tomorrow.status, tomorrow.status_reason) == (
        S.NO_SHOW,
        "Patient phoned: will not come",
    )
    assert _reasons(tomorrow)[-1] == (
        "no_show outside the visit's time: Patient phoned: will not come"
    )


def test_no_show_waits_for_the_grace_period(settings, frontdesk):
    settings.NO_SHOW_GRACE_MINUTES = 15
    started = _visit(timedelta(minutes=-10))
    late = _visit(timedelta(minutes=-16))
    with pytest.raises(OutsideVisitWindow):
        services.appointment_mark_no_show(appointment=started, actor=frontdesk)
    services.appointment_mark_no_show(appointment=late, actor=frontdesk)
    late.refresh_from_db()
    assert (late.status, late.status_reason) == (S.NO_SHOW, "")


def test_the_sweeper_never_marks_a_no_show_inside_the_grace_period(settings):
    settings.SCHEDULING_NO_SHOW_MINUTES = 5
    settings.NO_SHOW_GRACE_MINUTES = 20
    now = timezone.now()
    inside = AppointmentFactory(start=now - timedelta(minutes=10))
    after = AppointmentFactory(start=now - timedelta(minutes=25))
    assert services.no_show_sweep(now=now) == 1
    assert Appointment.objects.get(pk=inside.pk).status == S.SCHEDULED
    assert Appointment.objects.get(pk=after.pk).status == S.NO_SHOW


def test_the_detail_page_offers_an_override_only_to_whom_may(client, frontdesk, admin):
    visit = _visit(timedelta(days=1), status=S.CONFIRMED)
    url = reverse("scheduling:appointment-detail", args=[visit.pk])
    client.force_login(frontdesk)
    page = client.get(url).content.decode()
    assert "Check-in is for the visit&#x27;s day: it opens at" in page
    assert 'name="reason"' not in page
    assert 'disabled title="Check-in is for the visit&#x27;s day' in page
    client.force_login(admin)
    page = client.get(url).content.decode()
    assert 'name="reason"' in page
    assert "Mark as no-show anyway" in page


def test_a_quick_action_outside_the_time_answers_with_a_message(
    client, frontdesk, admin
):
    visit = _visit(timedelta(days=1))
    url = reverse("scheduling:appointment-action", args=[visit.pk])
    client.force_login(frontdesk)
    chip = client.post(url, {"action": "no_show"}, HTTP_HX_REQUEST="true")
    assert chip.status_code == 200
    assert "no-show only 15 minutes after its start" in chip.content.decode()
    client.force_login(admin)
    response = client.post(url, {"action": "no_show", "reason": ""}, follow=True)
    assert response.status_code == 200
    assert "give a reason" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == S.SCHEDULED
    client.post(url, {"action": "no_show", "reason": "Cancelled by phone, late"})
    visit.refresh_from_db()
    assert (visit.status, visit.status_reason) == (
        S.NO_SHOW,
        "Cancelled by phone, late",
    )


def test_the_check_in_page_shows_the_visits_day_and_time(client, frontdesk, admin):
    visit = _visit(timedelta(days=2))
    url = reverse("scheduling:appointment-check-in", args=[visit.pk])
    client.force_login(frontdesk)
    response = client.get(url)
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    when = timezone.localtime(visit.start)
    assert f"{when:%A} {when.day} {when:%B %Y}, {when:%H:%M}" in page
    assert 'id="visit-window-closed"' in page
    assert "copay_collected" not in page  # no form to submit
    response = client.post(url, {"copay_collected": "10"})
    # Refused on the page itself (no longer a redirect), saying who may do it.
    assert response.status_code == 200
    [refusal] = response.context["form"].non_field_errors()
    assert refusal.endswith(str(OVERRIDE_FORBIDDEN))
    assert escape(refusal) in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == S.SCHEDULED

    client.force_login(admin)
    assert client.post(url, {"copay_collected": "10"}).status_code == 200
    visit.refresh_from_db()
    assert visit.status == S.SCHEDULED
    client.post(url, {"copay_collected": "10", "reason": "Seen early by Dr A"})
    visit.refresh_from_db()
    assert (visit.status, visit.status_reason) == (S.ARRIVED, "Seen early by Dr A")


def test_chips_of_another_day_offer_moving_only():
    kind = AppointmentTypeFactory()
    today = AppointmentFactory(
        start=timezone.now() + timedelta(minutes=10), appointment_type=kind
    )
    next_week = AppointmentFactory(
        start=timezone.now() + timedelta(days=7), appointment_type=kind
    )
    in_room = AppointmentFactory(
        start=timezone.now() - timedelta(days=2),
        appointment_type=kind,
        status=S.IN_ROOM,
    )
    ctx = ChipContext(can_change=True, next_url="/schedule/")
    assert '"action": "arrived"' in chip_html(today, ctx=ctx)
    later = chip_html(next_week, ctx=ctx)
    assert '"action": "arrived"' not in later and "Move" in later
    assert '"action": "completed"' not in chip_html(in_room, ctx=ctx)
