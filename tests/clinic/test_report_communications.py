"""The communications report: every reminder and message, sent or received, with
the patient's SMS consent when it happened and the delivery status."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts.models import InboundMessage, Notification, NumberConsent
from alerts.services import number_consent_record
from clinic.reports import get_report
from clinic.reports.base import Filters
from tests.alerts.factories import ReminderRuleFactory
from tests.registration.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def messages():
    """Ann agreed to texts an hour ago: the reminder before that was skipped, the
    one after it delivered; then she texted STOP. Bob got an e-mail that failed."""
    now = timezone.now().replace(microsecond=0)
    ann = PatientFactory.build(
        mrn="C1", family_name="Lee", given_name="Ann", sms_consent=False
    )
    ann._history_date = now - timedelta(hours=3)
    ann.save()
    ann.sms_consent = True
    ann._history_date = now - timedelta(hours=1)
    ann.save()
    bob = PatientFactory(mrn="C2", family_name="Ray", given_name="Bob")
    rule = ReminderRuleFactory()

    def send(patient, at, **fields):
        return Notification.objects.create(
            patient=patient, scheduled_for=at, due_at=at, body="See you", **fields
        )

    skipped = send(
        ann,
        now - timedelta(hours=2),
        rule=rule,
        channel="sms",
        status="skipped",
        last_error="no consent to texts and no e-mail to fall back to",
    )
    delivered = send(
        ann,
        now - timedelta(minutes=30),
        rule=rule,
        channel="sms",
        address="+15555550100",
        status="delivered",
        sent_at=now - timedelta(minutes=30),
        delivered_at=now - timedelta(minutes=29),
        provider_message_id="SM1",
    )
    failed = send(
        bob,
        now - timedelta(minutes=20),
        channel="email",
        address="bob@example.org",
        status="failed",
        last_error="mailbox full",
    )
    stop = InboundMessage.objects.create(
        provider_id="SM2",
        from_number="+15555550100",
        body="STOP",
        received_at=now - timedelta(minutes=10),
        patient=ann,
        action="opted_out",
        reply="You will get no more texts.",
    )
    return {
        "skipped": skipped,
        "delivered": delivered,
        "failed": failed,
        "stop": stop,
        "ann": ann,
    }


def test_every_message_with_its_consent_then_and_now(messages):
    report = get_report("communications")
    headers = [str(c.header) for c in report.columns]
    table = [report.cells(row) for row in report.rows(Filters())]
    col = {name: headers.index(name) for name in headers}
    assert [row[col["Row"]] for row in table] == [
        f"out-{messages['skipped'].pk}",
        f"out-{messages['delivered'].pk}",
        f"out-{messages['failed'].pk}",
        f"in-{messages['stop'].pk}",
    ]
    assert [row[col["Kind"]] for row in table] == [
        "reminder",
        "reminder",
        "message",
        "reply",
    ]
    assert [row[col["Status"]] for row in table] == [
        "skipped",
        "delivered",
        "failed",
        "opted_out",
    ]
    assert [row[col["SMS consent then"]] for row in table] == [
        "no",
        "yes",
        "unknown",  # Bob's record was made after his e-mail's time
        "yes",
    ]
    assert [row[col["SMS consent now"]] for row in table][:2] == ["yes", "yes"]
    assert table[0][col["Note"]].startswith("no consent to texts")
    assert table[1][col["Delivered"]] != ""
    assert table[3][col["To / from"]] == "+15555550100"
    assert table[3][col["Patient"]] == "Lee, Ann"


def test_kinds_pick_undelivered_messages_missing_consent_and_opt_outs(messages):
    report = get_report("communications")

    def rows(**filters):
        return [(r["direction"], r["row_id"]) for r in report.rows(Filters(**filters))]

    assert rows(kind="undelivered") == [
        ("out", messages["skipped"].pk),
        ("out", messages["failed"].pk),
    ]
    assert rows(kind="no_consent") == [("out", messages["skipped"].pk)]
    assert rows(kind="opt_out") == [("in", messages["stop"].pk)]
    assert rows(kind="reply") == [("in", messages["stop"].pk)]
    assert rows(patient=messages["ann"], kind="reminder") == [
        ("out", messages["skipped"].pk),
        ("out", messages["delivered"].pk),
    ]
    assert report.count(Filters()) == 4


def test_the_communications_page_and_csv(admin_client, messages):
    url = reverse("clinic:report", args=["communications"])
    body = admin_client.get(url, {"patient": "C1"}).content.decode()
    assert "mailbox full" not in body and "You will get no more texts." in body
    csv_text = b"".join(
        admin_client.get(
            reverse("clinic:report-csv", args=["communications"]),
            {"kind": "undelivered"},
        ).streaming_content
    ).decode()
    lines = csv_text.splitlines()
    assert len(lines) == 4  # header, two messages, the hash
    assert "mailbox full" in lines[2]


def test_consent_is_the_numbers_once_it_has_a_row(messages):
    """Consent belongs to the number (#21): a STOP that opted the number out
    shows as "no" now, though Ann's record still says she agreed; a text sent
    while the number was opted in shows "yes" then."""
    number = "+15555550100"
    opted_in = NumberConsent(number=number, state="in", source="registration")
    opted_in._history_date = messages["delivered"].sent_at - timedelta(minutes=5)
    opted_in.save()
    number_consent_record(number=number, allowed=False, source="reply")
    report = get_report("communications")
    by_row = {r["row_id"]: r for r in report.rows(Filters(kind="reminder"))}
    delivered = by_row[messages["delivered"].pk]
    assert (delivered["consent_then"], delivered["consent_now"]) == (True, False)
    skipped = by_row[messages["skipped"].pk]  # no number: the record's box
    assert (skipped["consent_then"], skipped["consent_now"]) == (False, True)
    assert [r["row_id"] for r in report.rows(Filters(kind="no_consent"))] == [
        messages["skipped"].pk
    ]
