"""Claims with lines to edit, and what a test compares before and after."""

from billing.models import Claim, ClaimLine
from tests.billing.factories import billed_claim


def two_line_claim(**kwargs) -> Claim:
    """99213 at 120.00 and 36415 at 15.00, pointing to one diagnosis (E11.9)."""
    return billed_claim(extra_codes=["36415"], **kwargs)


def claim_line(claim: Claim, number: int) -> ClaimLine:
    return ClaimLine.objects.get(claim=claim, line_number=number)


def claim_snapshot(claim: Claim):
    claim.refresh_from_db()
    lines = list(
        ClaimLine.objects.filter(claim=claim)
        .order_by("line_number")
        .values_list(
            "line_number",
            "code",
            "modifiers",
            "units",
            "charge_amount",
            "diagnosis_pointers",
        )
    )
    return (
        claim.status,
        claim.total_charge,
        claim.scrub_errors,
        claim.history.count(),
        lines,
        ClaimLine.history.filter(claim_id=claim.pk).count(),
    )
