from datetime import timedelta

import pytest
from django.utils import timezone

from tests.scheduling.conftest import _fresh_optional_choices, clinic  # noqa: F401


@pytest.fixture
def drain():
    """Process every event, wait and retry due (what the sweeper does every minute)."""
    from automations.sweepers import automations_sweep

    def run(now=None):
        return automations_sweep((now or timezone.now()) + timedelta(minutes=1))

    return run
