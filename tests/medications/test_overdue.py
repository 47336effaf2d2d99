"""Overdue doses raise one alert each, to the nurses, closed when charted."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import StaffAlert
from clinic.dispatch import dispatch_due
from medications import services
from medications.models import ScheduledDose
from tests.medications.factories import MedicationOrderFactory

pytestmark = pytest.mark.django_db


def test_one_alert_per_overdue_dose_closed_when_given_held_or_refused(make_user):
    nurse = make_user("Nurse")
    now = timezone.now()
    order = MedicationOrderFactory(
        patient__family_name="Lee", patient__given_name="Ann", interval_hours=8
    )
    late = [
        ScheduledDose.objects.create(order=order, due_at=now - timedelta(minutes=m))
        for m in (45, 90, 120)
    ]
    ScheduledDose.objects.create(order=order, due_at=now - timedelta(minutes=20))
    ScheduledDose.objects.create(order=order, due_at=now - timedelta(hours=30))

    assert services.overdue_alerts_raise(now=now) == 3
    assert services.overdue_alerts_raise(now=now) == 0  # run twice: still three
    alerts = StaffAlert.objects.filter(kind="dose_overdue").order_by("due_at")
    assert alerts.count() == 3
    first = alerts.get(key=f"dose-overdue:{late[2].pk}")
    assert first.assigned_role == "Nurse"
    assert first.patient == order.patient
    assert first.subject == late[2]
    assert first.title.startswith(f"Overdue: {order.medication.name} 500 mg PO")

    services.dose_hold(dose=late[0], actor=nurse, reason="NPO")
    services.dose_refuse(dose=late[1], actor=nurse, reason="declined")
    statuses = dict(alerts.values_list("key", "status"))
    assert statuses == {
        f"dose-overdue:{late[0].pk}": "resolved",
        f"dose-overdue:{late[1].pk}": "resolved",
        f"dose-overdue:{late[2].pk}": "open",
    }


def test_dispatch_due_runs_the_medication_sweepers(make_user):
    now = timezone.now()
    order = MedicationOrderFactory(interval_hours=12, start_at=now - timedelta(hours=1))
    results = dispatch_due(now=now)
    assert results["medications.sweepers.generate_schedules"] == 4  # -1, 11, 23, 35 h
    assert order.doses.count() == 4
    assert results["medications.sweepers.raise_overdue_alerts"] == 1


def test_the_overdue_alert_opens_the_doses_give_page_for_the_nurse(client, make_user):
    """The link the alert carries (issue #18): ``medications:dose-give`` with the
    dose's pk for the nurses it goes to; ``medications:patient-mar`` for the
    administrator it escalates to, who does not give doses."""
    now = timezone.now()
    order = MedicationOrderFactory(patient__family_name="Lee")
    ScheduledDose.objects.create(order=order, due_at=now - timedelta(minutes=90))
    services.overdue_alerts_raise(now=now)
    alert = StaffAlert.objects.get(kind="dose_overdue")
    give = reverse("medications:dose-give", kwargs={"pk": alert.subject.pk})
    mar = reverse("medications:patient-mar", kwargs={"patient_pk": alert.patient_id})

    client.force_login(make_user(alert.assigned_role))
    page = client.get(give)
    assert page.status_code == 200
    assert page.context["form"].initial["amount"] == "500"
    assert "Give dose" in page.content.decode()

    client.force_login(make_user("Administrator"))
    assert client.get(mar).status_code == 200
    assert client.get(give).status_code == 403
