"""A payer that lives in the app: answers eligibility questions from rules.

Rules (on the member ID as stored, upper-case):

* payer ID ``SIMDOWN``: the payer is unreachable (the check fails);
* member ID starting with ``ERR``: the payer rejects the request (invalid member);
* member ID ending in ``9``: coverage inactive;
* anything else: active; the copay is $20, $30, $40 or $50 and the deductible still
  to meet is between $0 and $1,475, both derived from the member ID's digits.
"""

import json
from decimal import Decimal

from registration.eligibility import EligibilityAnswer, EligibilityError

UNREACHABLE_PAYER = "SIMDOWN"


def rules(*, payer_id: str, member_id: str) -> dict:
    """The simulated payer's answer as a plain dict (also used to write a 271)."""
    member_id = member_id.upper()
    if payer_id.upper() == UNREACHABLE_PAYER:
        return {"error": "Payer not responding (simulated outage)."}
    if member_id.startswith("ERR"):
        return {"rejected": "72", "error": "Invalid/missing subscriber ID."}
    if member_id.endswith("9"):
        return {"active": False, "plan": "", "message": "Coverage terminated."}
    digits = sum(int(char) for char in member_id if char.isdigit())
    return {
        "active": True,
        "plan": "Simulated PPO",
        "copay": str(Decimal(20 + (digits % 4) * 10)),
        "deductible_remaining": str(Decimal((digits * 25) % 1500)),
        "message": "",
    }


class SimulatedBackend:
    name = "simulated"

    def check(self, *, coverage, patient) -> EligibilityAnswer:
        request = {
            "payer_id": coverage.payer.payer_id,
            "member_id": coverage.member_id,
            "group_number": coverage.group_number,
            "patient": patient.mrn,
        }
        answer = rules(payer_id=coverage.payer.payer_id, member_id=coverage.member_id)
        request_text, response_text = json.dumps(request), json.dumps(answer)
        if "error" in answer:
            raise EligibilityError(
                answer["error"],
                request_payload=request_text,
                response_payload=response_text,
            )
        return EligibilityAnswer(
            active=answer["active"],
            plan_description=answer.get("plan", ""),
            copay=Decimal(answer["copay"]) if answer.get("copay") else None,
            deductible_remaining=(
                Decimal(answer["deductible_remaining"])
                if answer.get("deductible_remaining")
                else None
            ),
            message=answer.get("message", ""),
            request_payload=request_text,
            response_payload=response_text,
        )
