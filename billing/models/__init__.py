"""Billing: set-up, charges, claims, submissions and remittances, one module each.

Money is Decimal; every model keeps its history.
"""

from billing.models.charges import Charge, VisitDiagnosis
from billing.models.claims import Claim, ClaimLine, ClaimNote
from billing.models.fields import ZERO, money
from billing.models.reference import (
    BillingProvider,
    FeeScheduleEntry,
    PayerBillingProfile,
)
from billing.models.remittance import ClaimPayment, Remittance, RemittanceUpload
from billing.models.submission import Acknowledgement, ControlNumber, SubmissionBatch

__all__ = [
    "ZERO",
    "Acknowledgement",
    "BillingProvider",
    "Charge",
    "Claim",
    "ClaimLine",
    "ClaimNote",
    "ClaimPayment",
    "ControlNumber",
    "FeeScheduleEntry",
    "PayerBillingProfile",
    "Remittance",
    "RemittanceUpload",
    "SubmissionBatch",
    "VisitDiagnosis",
    "money",
]
