import pytest

from tests.registration.factories import MARKER, PatientFactory


@pytest.fixture
def restricted():
    """A restricted patient whose family name no page holds by chance."""
    return PatientFactory(
        family_name=MARKER, given_name="Ann", restriction="public_figure"
    )


@pytest.fixture
def desk(client, make_user):
    """A test client logged in as the front desk (``desk.user``)."""
    user = make_user("Front desk")
    client.force_login(user)
    client.user = user
    return client
