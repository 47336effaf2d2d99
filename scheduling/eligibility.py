"""The one place where scheduling asks registration about a patient's coverage.

Registration's eligibility checks (EligibilityCheck, the payer call) arrive on
another branch; until the integrator connects them here, every answer is "unknown"
and check-in shows no warning and no copay. Connect:

- ``verify``: run the registration eligibility service for the patient and date and
  return ``"verified"`` or ``"failed"``;
- ``check_in_info``: the latest check's warning (if any) and the copay due.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# A check older than this is shown as stale in the day view.
STALE_AFTER_HOURS = 36


@dataclass(frozen=True)
class CheckInInfo:
    warning: str = ""
    copay_due: Decimal | None = None


def verify(*, patient, service_date: date) -> str | None:
    """Verify coverage for a visit on ``service_date``; None: no answer available."""
    return None


def check_in_info(*, appointment) -> CheckInInfo:
    """What check-in shows: the eligibility warning and the copay due."""
    return CheckInInfo()
