import pytest

from tests.smart.support import Key


@pytest.fixture(scope="session")
def rsa_key():
    return Key.rsa()


@pytest.fixture(scope="session")
def ec_key():
    return Key.ec()


@pytest.fixture(scope="session")
def stranger_key():
    """A key no client registered, under a registered kid."""
    return Key.rsa(kid="rsa-1")
