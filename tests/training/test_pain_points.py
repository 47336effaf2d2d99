"""The pain-point figures equal hand-built data exactly."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import StaffAlert
from scheduling.models import Appointment
from tests.scheduling.factories import AppointmentFactory
from training import pain_points

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 18)  # a Wednesday; its week starts Monday 16 March
S = Appointment.Status


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def _visit(day, *, status=S.COMPLETED, waited=None, cancelled_before=None):
    start = _at(day, 9)
    visit = AppointmentFactory(start=start, end=start + timedelta(minutes=20))
    visit.status = status
    if waited is not None:
        visit.arrived_at = start
        visit.in_room_at = start + timedelta(minutes=waited)
    if cancelled_before is not None:
        visit.cancelled_at = start - cancelled_before
    visit.save()
    return visit


def _week(found, monday):
    return dict(found.weeks)[monday]


def test_waiting_no_show_and_late_cancellation_figures_are_exact():
    this_week, last_week = date(2026, 3, 16), date(2026, 3, 9)
    quarter_day = date(2025, 12, 10)  # 14 weeks back: in the quarter before
    for waited in (10, 20, 45):
        _visit(this_week, waited=waited)
    _visit(last_week, waited=7)
    _visit(quarter_day, waited=30)
    _visit(quarter_day, waited=31)
    _visit(this_week, status=S.NO_SHOW)
    _visit(this_week, status=S.CANCELLED, cancelled_before=timedelta(hours=3))
    _visit(this_week, status=S.CANCELLED, cancelled_before=timedelta(days=3))

    trends = {t.slug: t for t in pain_points.pain_points(today=TODAY)}

    waiting = trends["waiting"]
    assert len(waiting.weeks) == 13
    assert waiting.weeks[-1][0] == this_week
    assert _week(waiting, this_week) == 20.0
    assert _week(waiting, last_week) == 7.0
    assert _week(waiting, date(2026, 3, 2)) is None
    assert waiting.last_quarter == 30.5
    # This week: 3 attended + 1 no-show due; 6 booked, 1 cancelled late.
    assert _week(trends["no-show"], this_week) == 25.0
    assert _week(trends["no-show"], last_week) == 0.0
    assert trends["no-show"].last_quarter == 0.0
    assert _week(trends["late-cancel"], this_week) == round(100 / 6, 1)


def test_tasks_past_due_counts_open_and_late_and_groups_open_by_role():
    now = _at(TODAY, 12)
    due = _at(TODAY, 8)
    resolved = StaffAlert.Status.RESOLVED
    fields = ("title", "assigned_role", "due_at", "status", "resolved_at")
    for row in (
        ("a", "Nurse", due, StaffAlert.Status.OPEN, None),
        ("b", "Nurse", due, resolved, due - timedelta(minutes=5)),
        ("c", "Front desk", due, resolved, due + timedelta(hours=1)),
        ("d", "Billing", now + timedelta(hours=1), StaffAlert.Status.OPEN, None),
    ):
        StaffAlert.objects.create(kind="task", **dict(zip(fields, row, strict=True)))

    trends = {t.slug: t for t in pain_points.pain_points(today=TODAY, now=now)}

    assert _week(trends["tasks-past-due"], date(2026, 3, 16)) == round(200 / 3, 1)
    assert pain_points.open_past_due_by_role(now=now) == [("Nurse", 1)]


def test_the_page_is_for_administrators_and_each_chart_has_a_csv(client, make_user):
    url = reverse("training:pain-points")
    client.force_login(make_user("Nurse"))
    assert client.get(url).status_code == 403
    client.force_login(make_user("Administrator"))
    page = client.get(url)
    assert page.status_code == 200
    for slug in ("waiting", "no-show", "late-cancel", "tasks-past-due"):
        assert f'id="chart-{slug}"'.encode() in page.content
        answer = client.get(url, {"csv": slug})
        assert answer["Content-Type"].startswith("text/csv")
        lines = answer.content.decode().splitlines()
        assert len(lines) == 15  # header, 13 weeks, last quarter
        assert lines[-1].startswith("last quarter")
    assert client.get(url, {"csv": "<script>"}).status_code == 404
