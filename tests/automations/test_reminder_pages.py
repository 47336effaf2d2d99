"""The reminder-rule pages (under automations; the old alerts addresses redirect)."""

import pytest
from django.urls import reverse

from alerts.models import ReminderRule
from automations.reminders.editing import automation_type_ids, rule_automation
from tests.alerts.factories import ReminderRuleFactory
from tests.scheduling.factories import AppointmentTypeFactory

pytestmark = pytest.mark.django_db


def _rule_post(**overrides):
    data = {
        "name": "Day before",
        "hours_before": "24",
        "channel": "sms",
        "subject": "",
        "body": "Hi {first_name}, see you {date} at {time}. {reply_instructions}",
        "quiet_start": "21:00",
        "quiet_end": "08:00",
        "email_fallback": "on",
        "is_active": "on",
        "variants-TOTAL_FORMS": "2",
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "12",
        "variants-0-language": "es",
        "variants-0-subject": "",
        "variants-0-body": "Hola {first_name}, le esperamos el {date} a las {time}.",
        "variants-1-language": "",
        "variants-1-subject": "",
        "variants-1-body": "",
    }
    data.update(overrides)
    return data


def test_an_administrator_creates_a_rule_with_a_spanish_text(admin_client):
    follow_up = AppointmentTypeFactory(name="Follow-up")
    response = admin_client.post(
        reverse("automations:rule-create"),
        _rule_post(appointment_types=[follow_up.pk]),
    )
    assert response.status_code == 302
    rule = ReminderRule.objects.get()
    automation = rule_automation(rule)
    assert (rule.name, automation.offset_minutes, automation.enabled) == (
        "Day before",
        -24 * 60,
        True,
    )
    assert automation_type_ids(automation) == [str(follow_up.pk)]
    assert [(v.language, v.body[:4]) for v in rule.variants.all()] == [("es", "Hola")]
    assert rule.history.latest().history_user.username == "ada"


def test_editing_a_rule_removes_a_cleared_variant(admin_client):
    admin_client.post(reverse("automations:rule-create"), _rule_post())
    rule = ReminderRule.objects.get()
    response = admin_client.post(
        reverse("automations:rule-edit", args=[rule.pk]),
        _rule_post(**{"variants-0-language": "", "variants-0-body": "", "name": "D-1"}),
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.variants.count()) == ("D-1", 0)


def test_a_template_with_an_unknown_name_is_refused_with_a_message(admin_client):
    response = admin_client.post(
        reverse("automations:rule-create"), _rule_post(body="Your result: {diagnosis}")
    )
    assert response.status_code == 200
    assert "Unknown name(s) {diagnosis}" in response.content.decode()
    assert ReminderRule.objects.count() == 0


def test_the_preview_shows_the_text_its_segments_and_when_it_goes_out(admin_client):
    response = admin_client.post(
        reverse("automations:rule-preview"), _rule_post(language="es-MX")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Hola Maria, le esperamos el" in body
    assert "1 SMS segment (" in body and "GSM-7" in body
    assert "Goes out " in body


def test_the_preview_names_what_is_wrong(admin_client):
    response = admin_client.post(
        reverse("automations:rule-preview"), _rule_post(body="Hi {first_name.x}")
    )
    assert "is not allowed" in response.content.decode()


def test_the_old_rule_addresses_lead_to_the_moved_pages(admin_client):
    rule = ReminderRuleFactory()
    old = admin_client.get(f"/alerts/rules/{rule.pk}/?x=1")
    assert (old.status_code, old["Location"]) == (
        302,
        reverse("automations:rule-edit", args=[rule.pk]) + "?x=1",
    )
    assert admin_client.get("/alerts/rules/")["Location"] == reverse(
        "automations:rule-list"
    )


def test_the_front_desk_may_not_edit_rules(client, make_user):
    client.force_login(make_user("Front desk"))
    assert client.get(reverse("automations:rule-create")).status_code == 403


def test_rules_are_listed_with_their_languages(admin_client):
    rule = ReminderRuleFactory(name="Three days before", hours_before=72)
    rule.variants.create(language="pt", body="Olá {first_name}")
    body = admin_client.get(reverse("automations:rule-list")).content.decode()
    assert "Three days before" in body and "72 hours" in body and "default, pt" in body
