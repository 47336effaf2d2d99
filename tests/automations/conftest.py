from datetime import timedelta

import pytest
from django.utils import timezone

from tests.alerts.conftest import fake_twilio_server
from tests.alerts.factories import ReminderRuleFactory
from tests.scheduling.conftest import _fresh_optional_choices, clinic  # noqa: F401


@pytest.fixture
def drain():
    """Process every event, wait and retry due (what the sweeper does every minute)."""
    from automations.sweepers import automations_sweep

    def run(now=None):
        return automations_sweep((now or timezone.now()) + timedelta(minutes=1))

    return run


@pytest.fixture
def fake_twilio(settings):
    yield from fake_twilio_server(settings)


@pytest.fixture
def rule(db):
    """A reminder a day ahead whose text ends with the reply instructions."""
    return ReminderRuleFactory(
        hours_before=24,
        body="Hi {first_name}, see you {date} at {time}. {reply_instructions}",
    )
