import pytest

from tests.registration.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
    weekly_hours,
)


@pytest.fixture
def clinic(db):
    """A location, two providers working 08:00-17:00 every day, a 30-minute type."""
    location = LocationFactory(code="main")
    first, second = ProviderFactory(name="Dr Adams"), ProviderFactory(name="Dr Baker")
    for provider in (first, second):
        weekly_hours(provider, location)
    visit = AppointmentTypeFactory(name="Follow-up", duration_minutes=30)
    return {
        "location": location,
        "provider": first,
        "other_provider": second,
        "type": visit,
        "patient": PatientFactory(),
    }


@pytest.fixture(autouse=True)
def _fresh_optional_choices():
    """The filter bars' choices are cached a minute; each test starts without."""
    from django.core.cache import cache

    cache.clear()
