"""The reminder-rule pages, the outbox and the chart's messages panel."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import Notification, ReminderRule
from automations.reminders.editing import automation_type_ids, rule_automation
from clinic.models import AccessLog
from tests.alerts.factories import ReminderRuleFactory
from tests.registration.factories import PatientFactory
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


def _message(patient, status="failed", **extra):
    now = timezone.now()
    return Notification.objects.create(
        patient=patient,
        channel="sms",
        address=str(patient.phone_mobile),
        body=extra.pop("body", "Reminder for tomorrow"),
        scheduled_for=now - timedelta(hours=1),
        due_at=now - timedelta(hours=1),
        status=status,
        last_error="Twilio 400 error 21211: invalid" if status == "failed" else "",
        **extra,
    )


def test_the_outbox_filters_by_status_and_patient(client, make_user):
    client.force_login(make_user("Front desk"))
    rosa = PatientFactory(family_name="Marchetti", phone_mobile="+15551230001")
    other = PatientFactory(family_name="Okafor", phone_mobile="+15551230002")
    failed = _message(rosa, body="Failed one")
    _message(rosa, status="delivered", body="Delivered one")
    _message(other, body="Someone else's")
    response = client.get(
        reverse("alerts:outbox"), {"status": "failed", "q": "marchetti"}
    )
    rows = response.context["notifications"]
    assert [n.pk for n in rows] == [failed.pk]
    assert "Failed: 2" in response.content.decode()
    assert AccessLog.objects.filter(what="outbox").count() == 1


def test_resend_needs_a_reason_and_records_it(client, make_user):
    user = make_user("Front desk")
    client.force_login(user)
    patient = PatientFactory(phone_mobile="+15551230001", sms_consent=True)
    failed = _message(patient)
    url = reverse("alerts:resend", args=[failed.pk])
    assert client.post(url, {"reason": " "}).status_code == 200
    response = client.post(url, {"reason": "New number given by phone"})
    assert response.status_code == 302
    copy = Notification.objects.get(resent_from=failed)
    assert (copy.status, copy.resend_reason, copy.created_by) == (
        "pending",
        "New number given by phone",
        user,
    )
    assert copy.history.first().history_change_reason == (
        "resent: New number given by phone"
    )


def test_a_delivered_message_cannot_be_resent(client, make_user):
    client.force_login(make_user("Front desk"))
    delivered = _message(PatientFactory(phone_mobile="+15551230001"), "delivered")
    response = client.post(
        reverse("alerts:resend", args=[delivered.pk]), {"reason": "again"}, follow=True
    )
    assert "Only a failed, undeliverable or skipped" in response.content.decode()
    assert Notification.objects.count() == 1


def test_the_chart_shows_the_conversation_newest_first(client, make_user):
    from alerts.models import InboundMessage

    client.force_login(make_user("Front desk"))
    patient = PatientFactory(phone_mobile="+15551230001")
    _message(patient, status="delivered", body="See you tomorrow at 10:00")
    InboundMessage.objects.create(
        provider_id="SMin1",
        from_number="+15551230001",
        body="C",
        patient=patient,
        action="confirmed",
        reply="Thank you, your visit is confirmed.",
    )
    body = client.get(
        reverse("registration:patient-chart", args=[patient.pk])
    ).content.decode()
    panel = body[body.index('id="chart-messages"') :]
    order = [
        panel.index("Thank you, your visit is confirmed."),
        panel.index(">C<"),
        panel.index("See you tomorrow at 10:00"),
    ]
    assert order == sorted(order)


def test_rules_are_listed_with_their_languages(admin_client):
    rule = ReminderRuleFactory(name="Three days before", hours_before=72)
    rule.variants.create(language="pt", body="Olá {first_name}")
    body = admin_client.get(reverse("automations:rule-list")).content.decode()
    assert "Three days before" in body and "72 hours" in body and "default, pt" in body
