import pytest

from tests.registration.factories import MARKER, PatientFactory


@pytest.fixture
def restricted():
    """A restricted patient whose family name no page holds by chance."""
    return PatientFactory(
        family_name=MARKER, given_name="Ann", restriction="public_figure"
    )
