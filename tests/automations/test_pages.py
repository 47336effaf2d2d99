"""The pages: list, editor (forms, htmx partials, validation), dry run, metrics,
run log, library."""

import pytest
from django.urls import reverse

from automations.models import Action, Automation, AutomationRun, Condition
from tests.automations.factories import ActionFactory, AutomationFactory
from tests.registration.factories import PayerFactory

pytestmark = pytest.mark.django_db


def test_list_shows_state_last_run_and_counts(admin_client, admin_user):
    AutomationFactory(name="Welcome texts", owner=admin_user)
    response = admin_client.get(reverse("automations:list"))
    assert response.status_code == 200
    assert b"Welcome texts" in response.content
    assert b"Runs (30 days)" in response.content


def test_an_administrator_builds_an_automation_from_forms(admin_client):
    response = admin_client.post(
        reverse("automations:create"),
        {"name": "No-show call", "trigger": "appointment.no_show", "match": "all"},
    )
    automation = Automation.objects.get(name="No-show call")
    assert response.status_code == 302
    assert response["Location"] == reverse("automations:edit", args=[automation.pk])
    assert automation.enabled is False

    # Switching on before any action is refused with a clear message.
    response = admin_client.post(
        reverse("automations:toggle", args=[automation.pk]), {"on": "1"}, follow=True
    )
    automation.refresh_from_db()
    assert automation.enabled is False
    assert "add at least one action" in response.content.decode()

    payer = PayerFactory(name="Acme Health")
    form = admin_client.get(
        reverse("automations:condition-form", args=[automation.pk]),
        {"field": "payer"},
        HTTP_HX_REQUEST="true",
    )
    assert b"Acme Health" in form.content and b'id="condition-form"' in form.content
    admin_client.post(
        reverse("automations:condition-add", args=[automation.pk]),
        {"field": "payer", "operator": "in", "values": [str(payer.pk)]},
    )
    assert list(Condition.objects.values_list("field", "values")) == [
        ("payer", [str(payer.pk)])
    ]

    form = admin_client.get(
        reverse("automations:action-form", args=[automation.pk]), {"kind": "wait"}
    )
    assert b"wait_hours" in form.content and b"title" not in form.content
    bad = admin_client.post(
        reverse("automations:action-add", args=[automation.pk]),
        {"kind": "create_task", "title": "Call {patient_nam}"},
    )
    assert bad.status_code == 400
    assert "Choose a role or a person." in bad.content.decode()
    assert "Unknown name(s) {patient_nam}." in bad.content.decode()
    admin_client.post(
        reverse("automations:action-add", args=[automation.pk]),
        {
            "kind": "create_task",
            "role": "Front desk",
            "title": "Call {patient_name}",
            "due_in_hours": "4",
        },
    )
    action = Action.objects.get()
    assert (action.role, action.due_in_minutes) == ("Front desk", 240)

    admin_client.post(reverse("automations:toggle", args=[automation.pk]), {"on": "1"})
    automation.refresh_from_db()
    assert automation.enabled is True and automation.enabled_at is not None


def test_a_time_trigger_needs_its_hours(admin_client):
    response = admin_client.post(
        reverse("automations:create"),
        {"name": "Reminder", "trigger": "appointment.time", "match": "all"},
    )
    assert response.status_code == 200
    assert "Say how many hours before or after the start." in response.content.decode()
    admin_client.post(
        reverse("automations:create"),
        {
            "name": "Reminder",
            "trigger": "appointment.time",
            "match": "all",
            "offset_hours": "48",
            "offset_direction": "before",
        },
    )
    assert Automation.objects.get().offset_minutes == -48 * 60


def test_disabling_cancels_pending_waits(admin_client, clinic, drain):
    from scheduling import services as scheduling
    from tests.scheduling.factories import local, next_weekday

    automation = AutomationFactory(trigger="appointment.booked")
    ActionFactory(automation=automation, position=0, kind="wait", wait_minutes=60)
    ActionFactory(automation=automation, position=1)
    scheduling.appointment_book(
        patient=clinic["patient"],
        appointment_type=clinic["type"],
        provider=clinic["provider"],
        location=clinic["location"],
        start=local(next_weekday(), 9),
        actor=automation.owner,
    )
    drain()
    run = AutomationRun.objects.get()
    assert run.status == "waiting"
    admin_client.post(reverse("automations:toggle", args=[automation.pk]), {"on": "0"})
    run.refresh_from_db()
    assert run.status == "cancelled"
    assert run.waits.get().status == "cancelled"


def test_library_copy_makes_an_adaptable_draft(admin_client, admin_user):
    library = admin_client.get(reverse("automations:library"))
    assert b"No-show follow-up" in library.content
    response = admin_client.post(
        reverse("automations:starter-copy", args=["no-show-follow-up"])
    )
    automation = Automation.objects.get()
    assert response["Location"] == reverse("automations:edit", args=[automation.pk])
    assert (automation.starter, automation.enabled, automation.owner) == (
        "no-show-follow-up",
        False,
        admin_user,
    )
    assert automation.actions.get().kind == "create_task"
    editor = admin_client.get(response["Location"])
    assert editor.status_code == 200
    assert b"Before it can be switched on" not in editor.content


def test_dry_run_metrics_and_run_log_pages(admin_client, clinic, drain):
    from scheduling import services as scheduling
    from tests.scheduling.factories import local, next_weekday

    automation = AutomationFactory(trigger="appointment.booked", name="Booked task")
    ActionFactory(automation=automation, position=0, title="Hello {patient}")
    scheduling.appointment_book(
        patient=clinic["patient"],
        appointment_type=clinic["type"],
        provider=clinic["provider"],
        location=clinic["location"],
        start=local(next_weekday(), 9),
        actor=automation.owner,
    )
    drain()
    name = clinic["patient"].given_name
    dry = admin_client.get(reverse("automations:dry-run", args=[automation.pk]))
    assert dry.status_code == 200
    assert f"Hello {name}".encode() in dry.content
    metrics = admin_client.get(reverse("automations:metrics", args=[automation.pk]))
    assert metrics.status_code == 200 and b'id="metrics-chart"' in metrics.content
    log = admin_client.get(
        reverse("automations:run-list"), {"automation": automation.pk, "status": "done"}
    )
    assert b"Booked task" in log.content
    assert (
        admin_client.get(reverse("automations:run-list"), {"status": "failed"})
        .context["runs"]
        .count()
        == 0
    )
    run = AutomationRun.objects.get()
    detail = admin_client.get(reverse("automations:run-detail", args=[run.pk]))
    assert detail.status_code == 200 and f"Hello {name}".encode() in detail.content


def test_home_panel_for_administrators(admin_client):
    AutomationFactory(enabled=True)
    response = admin_client.get(reverse("clinic:home"))
    assert response.status_code == 200
    panel = response.content.decode()
    assert 'id="automations-panel"' in panel
    assert "Switched on" in panel
