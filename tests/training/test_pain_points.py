"""The pain-point figures equal hand-built data exactly."""

from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from alerts.models import StaffAlert
from billing.models import Claim
from billing.services.remittance import POSTED_FROM_835
from diagnostics.models import CriticalAcknowledgement, Observation, TestDefinition
from medications.models import Administration, MedicationOrder, ScheduledDose
from scheduling.models import Appointment
from tests.billing.factories import billed_claim
from tests.clinic.factories import UserFactory
from tests.diagnostics.factories import make_order
from tests.medications.factories import MedicationOrderFactory
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
    for slug in [m[0] for m in pain_points.MEASURES]:
        assert f'id="chart-{slug}"'.encode() in page.content
        answer = client.get(url, {"csv": slug})
        assert answer["Content-Type"].startswith("text/csv")
        lines = answer.content.decode().splitlines()
        assert len(lines) == 15  # header, 13 weeks, last quarter
        assert lines[-1].startswith("last quarter")
    assert client.get(url, {"csv": "<script>"}).status_code == 404


def _observation(order, test, *, resulted, flag="HH", status="F", acked=None):
    observation = Observation.objects.create(
        order=order,
        test=test,
        value_numeric=1,
        flag=flag,
        status=status,
        source=Observation.Source.MANUAL,
        resulted_at=resulted,
    )
    for minutes in acked or ():
        CriticalAcknowledgement.objects.create(
            observation=observation,
            acknowledged_by=order.ordering_clinician,
            acknowledged_at=resulted + timedelta(minutes=minutes),
            action_taken="Called the patient",
            value_seen="1",
        )


def test_critical_result_to_acknowledgement_is_the_median_of_first_acks():
    now = _at(TODAY, 12)
    order = make_order()
    tests = list(TestDefinition.objects.order_by("pk")[:5])
    this_week = _at(date(2026, 3, 16), 9)
    _observation(order, tests[0], resulted=this_week, acked=(10, 50))  # first: 10
    _observation(order, tests[1], resulted=this_week, acked=(30,))
    _observation(order, tests[2], resulted=_at(TODAY, 11))  # waiting: 60 so far
    _observation(order, tests[3], resulted=this_week, flag="H")  # not critical
    _observation(order, tests[4], resulted=this_week, status="P", acked=(1,))

    found = {t.slug: t for t in pain_points.pain_points(today=TODAY, now=now)}

    assert _week(found["result-ack"], date(2026, 3, 16)) == 30.0
    assert _week(found["result-ack"], date(2026, 3, 9)) is None


def test_doses_late_or_missed_count_late_and_open_doses_not_held_ones():
    now = _at(TODAY, 12)
    window = timedelta(minutes=settings.MAR_TIME_WINDOW_MINUTES)
    nurse = UserFactory(role="Nurse")
    order = MedicationOrderFactory(start_at=_at(date(2026, 3, 1), 8))
    prn = MedicationOrderFactory(frequency=MedicationOrder.Frequency.PRN)
    DS = ScheduledDose.Status

    def dose(hour, status=DS.SCHEDULED, given_after=None, of=order):
        made = ScheduledDose.objects.create(
            order=of, due_at=_at(TODAY, hour), status=status
        )
        if given_after is not None:
            Administration.objects.create(
                dose=made,
                amount=500,
                unit="mg",
                route="PO",
                given_at=made.due_at + given_after,
                given_by=nurse,
            )
        return made

    dose(6, DS.GIVEN, given_after=window)  # on time (at the window's edge)
    dose(7, DS.GIVEN, given_after=window + timedelta(minutes=1))  # late
    dose(8)  # never given: missed
    dose(9, DS.HELD)  # held with a reason: not late
    dose(10, DS.CANCELLED)  # left out
    dose(5, of=prn)  # as needed: left out
    dose(12)  # its window is still open: not counted yet

    found = {t.slug: t for t in pain_points.pain_points(today=TODAY, now=now)}

    assert _week(found["doses-late"], date(2026, 3, 16)) == 50.0  # 2 of 4


def _posted(claim, *, submitted, posted, status):
    claim.submitted_at, claim.adjudicated_at, claim.status = submitted, posted, status
    claim._change_reason = f"{POSTED_FROM_835} TRACE1"
    claim.save()


def test_days_to_payment_and_denial_rate_read_each_posting():
    this_week = _at(date(2026, 3, 17), 10)
    submitted = this_week - timedelta(days=10)
    paid = billed_claim()
    _posted(paid, submitted=submitted, posted=this_week, status=Claim.Status.PAID)
    partly = billed_claim(payer=paid.payer)
    _posted(
        partly,
        submitted=this_week - timedelta(days=20),
        posted=this_week,
        status=Claim.Status.PARTIALLY_PAID,
    )
    denied = billed_claim(payer=paid.payer)
    _posted(denied, submitted=submitted, posted=this_week, status=Claim.Status.DENIED)
    # The same claim denied by an earlier posting too: each posting counts.
    _posted(
        denied,
        submitted=submitted,
        posted=this_week - timedelta(weeks=2),
        status=Claim.Status.DENIED,
    )
    # A status change that is not a posting is not an adjudication.
    paid.status, paid._change_reason = Claim.Status.CLOSED, "Closed by hand"
    paid.save()

    found = {t.slug: t for t in pain_points.pain_points(today=TODAY)}

    assert _week(found["days-to-payment"], date(2026, 3, 16)) == 15.0
    assert _week(found["denials"], date(2026, 3, 16)) == round(100 / 3, 1)
    assert _week(found["denials"], date(2026, 3, 2)) == 100.0
    assert _week(found["days-to-payment"], date(2026, 3, 2)) is None


def test_the_page_keeps_its_query_count_bounded(
    client, make_user, django_assert_max_num_queries
):
    client.force_login(make_user("Administrator"))
    url = reverse("training:pain-points")
    for _ in range(3):
        billed_claim()
        _visit(date.today(), waited=5)
    with django_assert_max_num_queries(40):
        assert client.get(url).status_code == 200
