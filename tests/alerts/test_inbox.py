"""The staff inbox: raise once, acknowledge, resolve with a note, escalate once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alerts.exceptions import ALREADY_RESOLVED, AlertClosed, AlertNotForYou
from alerts.models import StaffAlert
from alerts.selectors import inbox_for, open_alert_count
from alerts.services import (
    alert_acknowledge,
    alert_raise,
    alert_resolve,
    alert_resolve_by_key,
    alerts_escalate_due,
)
from clinic.dispatch import dispatch_due
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_an_alert_with_a_key_is_raised_once_while_unresolved(make_user):
    nurse = make_user("Nurse")
    first = alert_raise(
        kind="dose_overdue", title="Dose overdue", role="Nurse", key="d:1"
    )
    again = alert_raise(
        kind="dose_overdue", title="Dose overdue", role="Nurse", key="d:1"
    )
    assert again.pk == first.pk
    assert first.priority == StaffAlert.Priority.URGENT  # from the kind
    alert_resolve(alert=first, actor=nurse, note="given at 10:05")
    later = alert_raise(
        kind="dose_overdue", title="Dose overdue", role="Nurse", key="d:1"
    )
    assert later.pk != first.pk


def test_an_alert_must_go_somewhere():
    with pytest.raises(ValidationError):
        alert_raise(kind="task", title="Nobody's")
    with pytest.raises(ValidationError):
        alert_raise(kind="task", title="Unknown role", role="Janitor")


def test_the_inbox_shows_the_users_and_their_roles_alerts_only(make_user):
    nurse, other_nurse, clerk = (
        make_user("Nurse"),
        make_user("Nurse"),
        make_user("Front desk"),
    )
    for_role = alert_raise(kind="task", title="For all nurses", role="Nurse")
    for_me = alert_raise(kind="task", title="For me", user=nurse)
    alert_raise(kind="task", title="For the desk", role="Front desk")
    assert list(inbox_for(user=nurse)) == [for_role, for_me]
    assert list(inbox_for(user=other_nurse)) == [for_role]
    assert [a.title for a in inbox_for(user=clerk)] == ["For the desk"]
    assert open_alert_count(user=nurse) == 2


def test_acknowledge_then_resolve_records_who_when_and_what(make_user):
    nurse = make_user("Nurse")
    alert = alert_raise(kind="task", title="Call pharmacy", role="Nurse")
    alert = alert_acknowledge(alert=alert, actor=nurse)
    assert (alert.status, alert.acknowledged_by) == ("acknowledged", nurse)
    with pytest.raises(ValidationError):
        alert_resolve(alert=alert, actor=nurse, note="   ")
    alert = alert_resolve(alert=alert, actor=nurse, note="Pharmacy called back")
    assert (alert.status, alert.resolved_by, alert.note) == (
        "resolved",
        nurse,
        "Pharmacy called back",
    )
    assert (
        alert.history.latest().history_change_reason == "resolved: Pharmacy called back"
    )
    with pytest.raises(AlertClosed, match=str(ALREADY_RESOLVED)):
        alert_resolve(alert=alert, actor=nurse, note="again")


def test_someone_else_cannot_act_on_an_alert_not_theirs(make_user):
    alert = alert_raise(kind="task", title="Nurses only", role="Nurse")
    with pytest.raises(AlertNotForYou):
        alert_acknowledge(alert=alert, actor=make_user("Billing"))


def test_a_cause_that_went_away_resolves_its_alert(make_user):
    alert = alert_raise(
        kind="dose_overdue", title="Dose overdue", role="Nurse", key="d:9"
    )
    resolved = alert_resolve_by_key(key="d:9", note="dose given")
    assert resolved.pk == alert.pk
    assert resolved.status == "resolved"
    assert alert_resolve_by_key(key="d:9", note="dose given") is None


def test_an_unacknowledged_urgent_alert_escalates_once(make_user):
    clinician = make_user("Clinician")
    alert = alert_raise(
        kind="critical_result",
        title="Potassium 6.9",
        user=clinician,
        patient=PatientFactory(),
    )
    assert alerts_escalate_due(now=timezone.now() + timedelta(minutes=10)) == 0
    later = timezone.now() + timedelta(minutes=16)
    assert alerts_escalate_due(now=later) == 1
    alert.refresh_from_db()
    assert (alert.assigned_role, alert.assigned_user) == ("Clinician", None)
    assert (
        "not acknowledged within 15 minutes"
        in alert.history.latest().history_change_reason
    )
    assert alerts_escalate_due(now=later + timedelta(hours=1)) == 0


def test_an_acknowledged_alert_does_not_escalate(make_user):
    clinician = make_user("Clinician")
    alert = alert_raise(kind="critical_result", title="Na 118", user=clinician)
    alert_acknowledge(alert=alert, actor=clinician)
    assert alerts_escalate_due(now=timezone.now() + timedelta(hours=2)) == 0


def test_escalation_runs_from_dispatch_due(make_user):
    alert = alert_raise(
        kind="critical_result", title="K 7.0", user=make_user("Clinician")
    )
    results = dispatch_due(now=timezone.now() + timedelta(minutes=30))
    assert results["alerts.sweepers.escalate_alerts"] == 1
    alert.refresh_from_db()
    assert alert.escalated_at is not None


def test_header_badge_counts_open_alerts(client, make_user):
    nurse = make_user("Nurse")
    alert_raise(kind="task", title="One", role="Nurse")
    alert_raise(kind="task", title="Two", user=nurse)
    client.force_login(nurse)
    body = client.get(reverse("clinic:home")).content.decode()
    assert 'id="open-alert-count">2<' in body


def test_inbox_page_filters_and_acknowledges_with_htmx(client, make_user):
    nurse = make_user("Nurse")
    urgent = alert_raise(kind="dose_overdue", title="Dose overdue", role="Nurse")
    alert_raise(kind="task", title="Restock gloves", role="Nurse")
    client.force_login(nurse)
    page = client.get(reverse("alerts:inbox"), {"kind": "dose_overdue"})
    assert [a.title for a in page.context["alerts"]] == ["Dose overdue"]
    row = client.post(
        reverse("alerts:acknowledge", args=[urgent.pk]), HTTP_HX_REQUEST="true"
    )
    assert row.status_code == 200
    assert f'id="alert-{urgent.pk}"' in row.content.decode()
    assert "Acknowledged" in row.content.decode()


def test_resolving_from_the_page_needs_a_note(client, make_user):
    nurse = make_user("Nurse")
    alert = alert_raise(kind="task", title="Restock gloves", role="Nurse")
    client.force_login(nurse)
    url = reverse("alerts:resolve", args=[alert.pk])
    empty = client.post(url, {"note": ""})
    assert empty.status_code == 200
    assert "This field is required" in empty.content.decode()
    done = client.post(url, {"note": "Restocked"})
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "resolved"


def test_resolving_an_alert_resolved_meanwhile_keeps_the_note_typed(client, make_user):
    nurse = make_user("Nurse")
    alert = alert_raise(kind="task", title="Restock gloves", role="Nurse")
    client.force_login(nurse)
    url = reverse("alerts:resolve", args=[alert.pk])
    assert client.post(url, {"note": "Restocked"}).status_code == 302
    again = client.post(url, {"note": "Restocked twice"})
    page = again.content.decode()
    assert again.status_code == 200
    assert str(ALREADY_RESOLVED) in page and "Restocked twice</textarea>" in page


def test_inbox_costs_a_fixed_number_of_queries(
    client, make_user, django_assert_max_num_queries
):
    nurse = make_user("Nurse")
    for n in range(30):
        alert_raise(
            kind="task", title=f"Task {n}", role="Nurse", patient=PatientFactory()
        )
    client.force_login(nurse)
    # 12 for the page, 5 for its access-log row (savepoint, chain lock, last
    # hash, insert, release): fixed, whatever the number of alerts.
    with django_assert_max_num_queries(17):
        assert client.get(reverse("alerts:inbox")).status_code == 200


def test_the_patient_chart_header_lists_the_patients_open_alerts(client, make_user):
    patient = PatientFactory()
    alert_raise(kind="task", title="Call about the MRI", role="Nurse", patient=patient)
    done = alert_raise(kind="task", title="Old task", role="Nurse", patient=patient)
    nurse = make_user("Nurse")
    alert_resolve(alert=done, actor=nurse, note="done")
    client.force_login(nurse)
    body = client.get(reverse("registration:patient-chart", args=[patient.pk])).content
    assert b"Call about the MRI" in body
    assert b"Old task" not in body
