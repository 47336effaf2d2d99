import pytest

from tests.alerts.fake_twilio import FakeTwilio


@pytest.fixture
def fake_twilio(settings):
    """The real twilio client, pointed at a fake Twilio on 127.0.0.1."""
    server = FakeTwilio().start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = server.account_sid
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.TWILIO_API_BASE = server.url
    settings.TWILIO_TIMEOUT_SECONDS = 2
    yield server
    server.stop()
