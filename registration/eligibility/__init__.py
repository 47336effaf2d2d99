"""Insurance eligibility (is this coverage active, what will the patient owe?).

One interface, two backends, chosen by ``ELIGIBILITY_BACKEND``:

* ``simulated``: a built-in payer that answers from rules on the payer and member ID
  (see ``registration.eligibility.simulated``), for the demo and the tests;
* ``x12``: builds an X12 5010 270 request and reads the 271 answer
  (``registration.eligibility.x12``); the transport posts to ``CLEARINGHOUSE_URL``
  or, without one, hands the 270 to the simulated payer, which answers in 271.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string

BACKENDS = {
    "simulated": "registration.eligibility.simulated.SimulatedBackend",
    "x12": "registration.eligibility.x12.X12Backend",
}


class EligibilityError(Exception):
    """The payer could not answer (down, rejected the request, unreadable reply)."""

    def __init__(self, message: str, *, request_payload="", response_payload=""):
        super().__init__(message)
        self.request_payload = request_payload
        self.response_payload = response_payload


@dataclass
class EligibilityAnswer:
    active: bool
    plan_description: str = ""
    copay: Decimal | None = None
    deductible_remaining: Decimal | None = None
    message: str = ""
    request_payload: str = ""
    response_payload: str = ""


def backend_name() -> str:
    name = settings.ELIGIBILITY_BACKEND
    if name not in BACKENDS:
        raise ValueError(f"Unknown ELIGIBILITY_BACKEND {name!r}; known: {BACKENDS}")
    return name


def get_backend(name: str | None = None):
    return import_string(BACKENDS[name or backend_name()])()
