"""Channel backends with the real twilio client against a fake Twilio server."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.channels import (
    MaybeSent,
    OptedOut,
    PermanentError,
    TemporaryError,
    sms_backend,
)


def test_twilio_backend_sends_through_the_configured_base_url(fake_twilio):
    sent = sms_backend().send(to="+15551230001", body="Your visit is tomorrow")
    assert sent.provider_id.startswith("SM")
    assert fake_twilio.bodies_to("+15551230001") == ["Your visit is tomorrow"]


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ((500, None), TemporaryError),
        ((503, None), TemporaryError),
        ((400, 21610), OptedOut),
        ((400, 21211), PermanentError),
    ],
)
def test_failures_are_classified(fake_twilio, answer, error):
    fake_twilio.script = [answer]
    with pytest.raises(error) as info:
        sms_backend().send(to="+15551230002", body="hello")
    assert info.type is error
    assert fake_twilio.messages == []


def test_an_unreachable_twilio_is_a_temporary_error(settings, fake_twilio):
    settings.TWILIO_API_BASE = "http://127.0.0.1:1"
    with pytest.raises(TemporaryError, match="did not answer") as info:
        sms_backend().send(to="+15551230003", body="hello")
    assert info.type is TemporaryError  # never reached Twilio: safe to resend


def test_no_answer_in_time_may_mean_sent(settings, fake_twilio):
    settings.TWILIO_TIMEOUT_SECONDS = 0.3
    fake_twilio.delay = 1.0
    with pytest.raises(MaybeSent, match="may have gone out"):
        sms_backend().send(to="+15551230003", body="hello")
    fake_twilio.settle()
    assert fake_twilio.bodies_to("+15551230003") == ["hello"]


def test_a_message_already_sent_is_found_by_recipient_and_text(fake_twilio):
    backend = sms_backend()
    since = timezone.now() - timedelta(minutes=5)
    sent = backend.send(to="+15551230004", body="Reminder A")
    assert backend.find_sent(to="+15551230004", since=since, body="Reminder A") == (
        sent.provider_id
    )
    assert backend.find_sent(to="+15551230004", since=since, body="Other") is None
    assert backend.find_sent(to="+15559999999", since=since, body="Reminder A") is None


def test_a_message_still_queued_at_twilio_is_found_too(fake_twilio):
    """Twilio holds texts back at a number's send rate; until one goes out it has
    no date_sent, so a DateSent search would miss it (and it would go twice)."""
    fake_twilio.hold = True
    backend = sms_backend()
    since = timezone.now() - timedelta(minutes=1)
    sent = backend.send(to="+15551230006", body="Reminder B")
    assert fake_twilio.messages[0]["date_sent"] is None
    assert backend.find_sent(to="+15551230006", since=since, body="Reminder B") == (
        sent.provider_id
    )
    # Only messages made since then count (an older text with the same words
    # is another message).
    later = timezone.now() + timedelta(minutes=1)
    assert backend.find_sent(to="+15551230006", since=later, body="Reminder B") is None


def test_console_backend_is_the_embedded_default(settings):
    settings.SMS_BACKEND = "console"
    sent = sms_backend().send(to="+15551230005", body="hi")
    assert sent.provider_id.startswith("console-")
