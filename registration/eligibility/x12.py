"""X12 5010 eligibility: the 270 request (005010X279A1) and the 271 response.

``build_270`` writes one inquiry for one patient's coverage (service type 30,
health benefit plan coverage). ``parse_271`` reads the benefit segments the desk
needs: active or not (EB01 1-5 / 6-8), the plan (EB05), the office-visit copay
(EB01 B, EB07) and the deductible still to meet (EB01 C with time period 29,
"remaining"), and the payer's rejections (AAA).
"""

import urllib.request
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone

from clinic.clock import clinic_zone
from clinic.x12.elements import clean, d8, segment, sex_code
from clinic.x12.envelope import Exchange, interchange, transaction_set
from clinic.x12.reader import X12Error, split_segments
from registration.eligibility import EligibilityAnswer, EligibilityError
from registration.eligibility.simulated import rules

IMPLEMENTATION = "005010X279A1"
ACTIVE_CODES = {"1", "2", "3", "4", "5"}
INACTIVE_CODES = {"6", "7", "8"}
# AAA reject reasons (the ones payers send most), for a readable message.
REJECT_REASONS = {
    "15": "Required application data missing",
    "42": "Unable to respond at current time",
    "43": "Invalid/missing provider identification",
    "58": "Invalid/missing date of birth",
    "65": "Invalid/missing patient name",
    "72": "Invalid/missing subscriber ID",
    "73": "Invalid/missing subscriber name",
    "75": "Subscriber/insured not found",
    "76": "Duplicate subscriber/insured ID number",
}


@dataclass
class Inquiry:
    """What a 270 asks, independent of the Django models (for tests and tools)."""

    payer_name: str
    payer_id: str
    provider_name: str
    provider_npi: str
    member_id: str
    subscriber_given: str
    subscriber_family: str
    subscriber_birth_date: date | None
    subscriber_sex: str
    group_number: str = ""
    # Set when the patient is a dependent of the subscriber.
    dependent_given: str = ""
    dependent_family: str = ""
    dependent_birth_date: date | None = None
    dependent_sex: str = ""
    relationship: str = "18"
    trace: str = "1"
    control_number: int = 1
    when: datetime | None = None
    sender_id: str = "CLINICOPS"
    receiver_id: str = "CLEARINGHOUSE"
    usage: str = "P"  # ISA15


def _up(value) -> str:
    """A 270 carries names and identifiers upper-case (the X12 basic character
    set), after the toolkit's rule for text inside an element."""
    return clean(value).upper()


def _dmg(birth_date: date, sex: str) -> str:
    return segment("DMG", "D8", d8(birth_date), sex_code(sex))


def build_270(inquiry: Inquiry) -> str:
    """The inquiry as an interchange. Its times, and the day it asks about (DTP
    291), are read on the clinic's clock, as the 837's are."""
    when = (inquiry.when or timezone.now()).astimezone(clinic_zone())
    sender = _up(inquiry.sender_id)
    trace = _up(inquiry.trace)
    dependent = bool(inquiry.dependent_family)
    body = [
        segment("BHT", "0022", "13", trace, d8(when), when.strftime("%H%M")),
        segment("HL", "1", "", "20", "1"),
        segment("NM1", "PR", "2", _up(inquiry.payer_name), "", "", "", "", "PI",
                _up(inquiry.payer_id)),
        segment("HL", "2", "1", "21", "1"),
        segment("NM1", "1P", "2", _up(inquiry.provider_name), "", "", "", "", "XX",
                inquiry.provider_npi),
        segment("HL", "3", "2", "22", "1" if dependent else "0"),
        segment("TRN", "1", trace, "9" + sender[:9]),
        segment("NM1", "IL", "1", _up(inquiry.subscriber_family),
                _up(inquiry.subscriber_given), "", "", "", "MI",
                _up(inquiry.member_id)),
    ]  # fmt: skip
    if inquiry.group_number:
        body.append(segment("REF", "6P", _up(inquiry.group_number)))
    if inquiry.subscriber_birth_date:
        body.append(_dmg(inquiry.subscriber_birth_date, inquiry.subscriber_sex))
    if dependent:
        body += [
            segment("HL", "4", "3", "23", "0"),
            segment("TRN", "1", trace, "9" + sender[:9]),
            segment("NM1", "03", "1", _up(inquiry.dependent_family),
                    _up(inquiry.dependent_given)),
        ]  # fmt: skip
        if inquiry.dependent_birth_date:
            body.append(_dmg(inquiry.dependent_birth_date, inquiry.dependent_sex))
        body.append(segment("INS", "N", inquiry.relationship))
    body += [
        segment("DTP", "291", "D8", d8(when)),
        segment("EQ", "30"),
    ]
    exchange = Exchange(
        sender_id=sender,
        receiver_id=_up(inquiry.receiver_id),
        functional_code="HS",
        version=IMPLEMENTATION,
        isa_control=inquiry.control_number,
        gs_control=inquiry.control_number,
        when=when,
        usage=inquiry.usage,
    )
    # ST02 stays four digits whatever the control number.
    control = inquiry.control_number % 10000
    return interchange(
        exchange,
        [transaction_set(kind="270", control=control, version=IMPLEMENTATION,
                         body=body)],
    )  # fmt: skip


# --- Reading -------------------------------------------------------------------------


def _money(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation as exc:
        raise X12Error(f"Not an amount: {text!r}") from exc


@dataclass
class Parsed271:
    active: bool | None
    plan_description: str
    copay: Decimal | None
    deductible_remaining: Decimal | None
    rejections: list[str]
    trace: str
    member_id: str


def parse_271(text: str) -> Parsed271:
    segments = split_segments(text)
    st = next((seg for seg in segments if seg.id == "ST"), None)
    if st is None:
        raise X12Error("No transaction set (ST) in the interchange.")
    if st.get(1) != "271":
        raise X12Error(f"Expected a 271 response, got {st.get(1) or '?'}.")
    result = Parsed271(None, "", None, None, [], "", "")
    for seg in segments:
        if seg.id == "AAA" and seg.get(1) == "N":
            code = seg.get(3)
            result.rejections.append(REJECT_REASONS.get(code, f"Rejected ({code})"))
        elif seg.id == "TRN" and not result.trace:
            result.trace = seg.get(2)
        elif seg.id == "NM1" and seg.get(1) == "IL":
            result.member_id = seg.get(9)
        elif seg.id == "EB":
            code = seg.get(1)
            if code in ACTIVE_CODES and result.active is None:
                result.active = True
                result.plan_description = seg.get(5)
            elif code in INACTIVE_CODES:
                result.active = False
            elif code == "B" and result.copay is None:
                result.copay = _money(seg.get(7))
            elif code == "C" and seg.get(6) == "29":
                result.deductible_remaining = _money(seg.get(7))
    return result


def _names(inquiry_text: str) -> dict[str, str]:
    """What a payer reads off a 270: the member, the payer and the trace."""
    found = dict.fromkeys(
        ("member", "family", "given", "payer", "payer_id", "trace"), ""
    )
    for seg in split_segments(inquiry_text):
        if seg.id == "NM1" and seg.get(1) == "IL":
            found.update(family=seg.get(3), given=seg.get(4), member=seg.get(9))
        elif seg.id == "NM1" and seg.get(1) == "PR":
            found.update(payer=seg.get(3), payer_id=seg.get(9))
        elif seg.id == "TRN" and not found["trace"]:
            found["trace"] = seg.get(2)
    return found


def build_271(*, inquiry_text: str, answer: dict, when: datetime | None = None) -> str:
    """A 271 answering a 270 from a rules dict (the simulated payer's voice)."""
    asked = _names(inquiry_text)
    when = when or timezone.now()
    trace = asked["trace"]
    body = [
        segment("BHT", "0022", "11", trace, d8(when), when.strftime("%H%M")),
        segment("HL", "1", "", "20", "1"),
        segment("NM1", "PR", "2", asked["payer"], "", "", "", "", "PI",
                asked["payer_id"]),
        segment("HL", "2", "1", "21", "1"),
        segment("HL", "3", "2", "22", "0"),
        segment("TRN", "2", trace, "9SIMPAYER"),
        segment("NM1", "IL", "1", asked["family"], asked["given"], "", "", "", "MI",
                asked["member"]),
    ]  # fmt: skip
    if answer.get("rejected"):
        body.append(segment("AAA", "N", "", answer["rejected"], "C"))
    elif answer.get("active"):
        deductible = answer.get("deductible_remaining", "0")
        body += [
            segment("EB", "1", "IND", "30", "", clean(answer.get("plan", ""))),
            segment("EB", "B", "IND", "98", "", "", "27", answer.get("copay", "0")),
            segment("EB", "C", "IND", "30", "", "", "29", deductible),
        ]
    else:
        body.append(segment("EB", "6", "IND", "30"))
    exchange = Exchange(
        sender_id="SIMPAYER",
        receiver_id="CLINICOPS",
        functional_code="HB",
        version=IMPLEMENTATION,
        isa_control=1,
        gs_control=1,
        when=when,
    )
    return interchange(
        exchange,
        [transaction_set(kind="271", control=1, version=IMPLEMENTATION, body=body)],
    )


# --- The backend ---------------------------------------------------------------------


def inquiry_for(*, coverage, patient, control_number: int) -> Inquiry:
    dependent = coverage.relationship != coverage.Relationship.SELF
    return Inquiry(
        payer_name=coverage.payer.name,
        payer_id=coverage.payer.payer_id,
        provider_name=settings.CLINIC_NAME,
        provider_npi=settings.CLINIC_NPI,
        member_id=coverage.member_id,
        group_number=coverage.group_number,
        subscriber_given=(
            coverage.subscriber_given_name if dependent else patient.given_name
        ),
        subscriber_family=(
            coverage.subscriber_family_name if dependent else patient.family_name
        ),
        subscriber_birth_date=(
            coverage.subscriber_birth_date if dependent else patient.birth_date
        ),
        subscriber_sex=coverage.subscriber_sex if dependent else patient.sex_at_birth,
        dependent_given=patient.given_name if dependent else "",
        dependent_family=patient.family_name if dependent else "",
        dependent_birth_date=patient.birth_date if dependent else None,
        dependent_sex=patient.sex_at_birth if dependent else "",
        relationship=coverage.relationship,
        trace=f"CO{control_number}",
        control_number=control_number,
        # The same parties and usage as the claims the clinic sends.
        sender_id=settings.CLEARINGHOUSE_SENDER_ID,
        receiver_id=settings.CLEARINGHOUSE_RECEIVER_ID,
        usage=settings.X12_USAGE_INDICATOR,
    )


def send(request_text: str) -> str:
    """Hand a 270 to the clearinghouse and return its 271 (real-time exchange)."""
    url = settings.CLEARINGHOUSE_URL
    if not url:
        asked = _names(request_text)
        answer = rules(payer_id=asked["payer_id"], member_id=asked["member"])
        if "error" in answer and not answer.get("rejected"):
            raise OSError(answer["error"])
        return build_271(inquiry_text=request_text, answer=answer)
    request = urllib.request.Request(
        url.rstrip("/") + "/270",
        data=request_text.encode(),
        headers={"Content-Type": "application/edi-x12"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


class X12Backend:
    name = "x12"

    def check(self, *, coverage, patient) -> EligibilityAnswer:
        control = int(timezone.now().timestamp()) % 1_000_000_000
        request_text = build_270(
            inquiry_for(coverage=coverage, patient=patient, control_number=control)
        )
        try:
            response_text = send(request_text)
        except OSError as exc:
            raise EligibilityError(
                f"Clearinghouse unreachable: {exc}", request_payload=request_text
            ) from exc
        try:
            parsed = parse_271(response_text)
        except X12Error as exc:
            raise EligibilityError(
                f"Unreadable 271: {exc}",
                request_payload=request_text,
                response_payload=response_text,
            ) from exc
        if parsed.rejections:
            raise EligibilityError(
                "; ".join(parsed.rejections),
                request_payload=request_text,
                response_payload=response_text,
            )
        if parsed.active is None:
            raise EligibilityError(
                "The 271 carries no eligibility answer.",
                request_payload=request_text,
                response_payload=response_text,
            )
        return EligibilityAnswer(
            active=parsed.active,
            plan_description=parsed.plan_description,
            copay=parsed.copay,
            deductible_remaining=parsed.deductible_remaining,
            message="" if parsed.active else "Payer reports coverage inactive.",
            request_payload=request_text,
            response_payload=response_text,
        )
