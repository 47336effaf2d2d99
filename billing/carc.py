"""Claim adjustment reason codes (CARC) and group codes in words, for work queues
and reports. The common ones; an unknown code shows as its number."""

GROUPS = {
    "CO": "Contractual obligation",
    "PR": "Patient responsibility",
    "OA": "Other adjustment",
    "PI": "Payer-initiated reduction",
    "CR": "Correction or reversal",
}

REASONS = {
    "1": "Deductible amount",
    "2": "Coinsurance amount",
    "3": "Co-payment amount",
    "4": "Procedure code inconsistent with the modifier, or modifier missing",
    "5": "Procedure code / type of bill inconsistent with the place of service",
    "11": "Diagnosis inconsistent with the procedure",
    "16": "Claim lacks information or has submission/billing errors",
    "18": "Exact duplicate claim or service",
    "22": "This care may be covered by another payer (coordination of benefits)",
    "23": "Impact of prior payer(s) adjudication",
    "26": "Expenses incurred before coverage",
    "27": "Expenses incurred after coverage terminated",
    "29": "The time limit for filing has expired",
    "31": "Patient cannot be identified as our insured",
    "45": "Charge exceeds fee schedule / maximum allowable",
    "50": "Not deemed a medical necessity by the payer",
    "96": "Non-covered charge(s)",
    "97": "Benefit included in the payment of another service",
    "109": "Claim not covered by this payer; send to the correct payer",
    "119": "Benefit maximum for this time period has been reached",
    "146": "Diagnosis was invalid for the date(s) of service",
    "167": "This diagnosis is not covered",
    "197": "Precertification / authorisation absent",
    "204": "Service not covered under the patient's current benefit plan",
    "242": "Services not provided by network / primary care providers",
}


def reason_words(code: str) -> str:
    return REASONS.get(code, f"Reason code {code}")


def describe(adjustments: list[dict]) -> str:
    """ "CO-50 Not deemed a medical necessity by the payer; ..." for a list of
    adjustment dicts."""
    seen = []
    for adj in adjustments:
        text = f"{adj['group']}-{adj['reason']} {reason_words(adj['reason'])}"
        if text not in seen:
            seen.append(text)
    return "; ".join(seen)
