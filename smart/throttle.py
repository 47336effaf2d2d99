"""The token endpoint is limited the way log-ins are (django-axes, see
``clinic.login_guard``): a refused client assertion counts as a failed log-in of
the name ``smart-client:<iss>`` from the caller's address. Past
``AXES_FAILURE_LIMIT`` failures for that name and address, or
``AXES_ADDRESS_FAILURE_LIMIT`` from the address alone, every token request from
there is answered 429 until ``AXES_COOLOFF_TIME`` has passed; many names failing
from one address alert the administrators like password spraying does."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed


def _credentials(client_id: str) -> dict:
    return {"username": f"smart-client:{client_id}"[:150]}


def token_requests_locked(request, *, client_id: str) -> bool:
    return AxesProxyHandler.is_locked(request, _credentials(client_id))


def token_request_failed(request, *, client_id: str) -> None:
    user_login_failed.send(
        sender=__name__, credentials=_credentials(client_id), request=request
    )
    # axes' middleware would answer a lock-out with the log-in page; the endpoint
    # answers the next request with its own 429 JSON instead.
    request.axes_locked_out = False
