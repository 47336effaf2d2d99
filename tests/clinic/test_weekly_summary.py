from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from clinic.models import WeeklySummary
from clinic.reports.summary import weekly_summary_send

pytestmark = pytest.mark.django_db


def _local(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_the_weekly_summary_goes_to_administrators_once_on_monday_morning(make_user):
    make_user("Administrator", username="ada", email="ada@clinic.example")
    make_user("Nurse", username="nora", email="nora@clinic.example")
    make_user("Front desk", username="fran")
    for _ in range(3):
        Client().post("/login/", {"username": "fran", "password": "nope nope nope"})
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())

    assert weekly_summary_send(_local(monday, 6)) == 0  # not yet 07:00
    assert weekly_summary_send(_local(monday, 7)) == 1
    assert weekly_summary_send(_local(monday, 9)) == 0  # once a week
    assert weekly_summary_send(_local(monday + timedelta(days=3), 9)) == 0

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@clinic.example"]
    assert "Access-log integrity: intact" in message.body
    assert "Accounts locked out now: 0" in message.body
    assert "/reports/integrity/" in message.body
    assert WeeklySummary.objects.get().week_start == monday


def test_failed_log_ins_of_the_week_are_counted(make_user):
    make_user("Administrator", username="ada", email="ada@clinic.example")
    make_user("Front desk", username="fran")
    for _ in range(2):
        Client().post("/login/", {"username": "fran", "password": "wrong wrong wrong"})
    next_monday = timezone.localdate() + timedelta(
        days=7 - timezone.localdate().weekday()
    )
    weekly_summary_send(_local(next_monday, 8))
    assert "Failed log-ins this week: 2" in mail.outbox[0].body


def test_the_summary_counts_late_doses_overrides_and_undelivered_messages(make_user):
    from alerts.models import Notification
    from medications.models import Administration, ScheduledDose
    from tests.medications.factories import MedicationOrderFactory
    from tests.registration.factories import PatientFactory

    make_user("Administrator", username="ada", email="ada@clinic.example")
    nurse = make_user("Nurse", username="nora")
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    in_week = _local(monday - timedelta(days=3), 10)  # last Friday
    order = MedicationOrderFactory(start_at=in_week - timedelta(days=1))
    late = ScheduledDose.objects.create(order=order, due_at=in_week, status="given")
    Administration.objects.create(
        dose=late,
        amount=order.dose,
        unit="mg",
        route="PO",
        given_at=in_week + timedelta(hours=2),
        given_by=nurse,
        timing_reason="pharmacy delay",
    )
    ScheduledDose.objects.create(order=order, due_at=in_week + timedelta(hours=8))
    for status in ("failed", "delivered", "skipped"):
        Notification.objects.create(
            patient=PatientFactory(),
            channel="sms",
            body="x",
            scheduled_for=in_week,
            due_at=in_week,
            status=status,
        )
    weekly_summary_send(_local(monday, 8))
    body = mail.outbox[0].body
    assert "Doses given late this week: 1" in body
    assert "Doses not given (overdue or missed) this week: 1" in body
    assert "Medication overrides this week: 1" in body
    assert "Undelivered messages this week: 2" in body
    assert "/reports/medication-record/?kind=late" in body
    assert "/reports/communications/?kind=undelivered" in body
