"""The token endpoint is limited the way log-ins are (django-axes, see
``clinic.login_guard``): a refused client assertion counts as a failed log-in of
the name ``smart-client:<iss>`` from the caller's address. Past
``AXES_FAILURE_LIMIT`` failures for that name and address, or
``AXES_ADDRESS_FAILURE_LIMIT`` from the address alone, every token request from
there is answered 429 until ``AXES_COOLOFF_TIME`` has passed; many names failing
from one address alert the administrators like password spraying does."""

from clinic.login_guard import named_request_failed, named_requests_locked


def _name(client_id: str) -> str:
    return f"smart-client:{client_id}"


def token_requests_locked(request, *, client_id: str) -> bool:
    return named_requests_locked(request, name=_name(client_id))


def token_request_failed(request, *, client_id: str) -> None:
    named_request_failed(request, name=_name(client_id))
