"""RQ entry points of the registration app: ids in, one service call."""

# The module, not the function: services enqueues this job (a cycle of modules).
from registration import services


def eligibility_check_job(check_id: int) -> str | None:
    """Ask the payer about one pending eligibility check (safe to run twice)."""
    check = services.eligibility_check_run(check_id=check_id)
    return check.result if check is not None else None
