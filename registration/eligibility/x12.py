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

from registration.eligibility import EligibilityAnswer, EligibilityError

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


def _clean(value: str) -> str:
    """Element text without the delimiters this writer uses."""
    for char in "*~:^\n\r":
        value = value.replace(char, " ")
    return value.strip().upper()


def _sex(code: str) -> str:
    return code if code in ("F", "M") else "U"


def build_270(inquiry: Inquiry) -> str:
    when = inquiry.when or timezone.now()
    control = f"{inquiry.control_number:09d}"
    st_control = f"{inquiry.control_number % 10000:04d}"
    dependent = bool(inquiry.dependent_family)
    body = [
        ["ST", "270", st_control, IMPLEMENTATION],
        ["BHT", "0022", "13", _clean(inquiry.trace), when.strftime("%Y%m%d"),
         when.strftime("%H%M")],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", _clean(inquiry.payer_name), "", "", "", "", "PI",
         _clean(inquiry.payer_id)],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "1P", "2", _clean(inquiry.provider_name), "", "", "", "", "XX",
         inquiry.provider_npi],
        ["HL", "3", "2", "22", "1" if dependent else "0"],
        ["TRN", "1", _clean(inquiry.trace), "9" + _clean(inquiry.sender_id)[:9]],
        ["NM1", "IL", "1", _clean(inquiry.subscriber_family),
         _clean(inquiry.subscriber_given), "", "", "", "MI",
         _clean(inquiry.member_id)],
    ]  # fmt: skip
    if inquiry.group_number:
        body.append(["REF", "6P", _clean(inquiry.group_number)])
    if inquiry.subscriber_birth_date:
        body.append(
            [
                "DMG",
                "D8",
                inquiry.subscriber_birth_date.strftime("%Y%m%d"),
                _sex(inquiry.subscriber_sex),
            ]
        )
    if dependent:
        body += [
            ["HL", "4", "3", "23", "0"],
            ["TRN", "1", _clean(inquiry.trace), "9" + _clean(inquiry.sender_id)[:9]],
            ["NM1", "03", "1", _clean(inquiry.dependent_family),
             _clean(inquiry.dependent_given)],
        ]  # fmt: skip
        if inquiry.dependent_birth_date:
            body.append(
                [
                    "DMG",
                    "D8",
                    inquiry.dependent_birth_date.strftime("%Y%m%d"),
                    _sex(inquiry.dependent_sex),
                ]
            )
        body.append(["INS", "N", inquiry.relationship])
    body += [
        ["DTP", "291", "D8", when.strftime("%Y%m%d")],
        ["EQ", "30"],
    ]
    body.append(["SE", str(len(body) + 1), st_control])
    isa = [
        "ISA", "00", " " * 10, "00", " " * 10,
        "ZZ", f"{_clean(inquiry.sender_id):<15}"[:15],
        "ZZ", f"{_clean(inquiry.receiver_id):<15}"[:15],
        when.strftime("%y%m%d"), when.strftime("%H%M"), "^", "00501", control,
        "0", "P", ":",
    ]  # fmt: skip
    gs = [
        "GS", "HS", _clean(inquiry.sender_id), _clean(inquiry.receiver_id),
        when.strftime("%Y%m%d"), when.strftime("%H%M"),
        str(inquiry.control_number), "X", IMPLEMENTATION,
    ]  # fmt: skip
    trailer = [
        ["GE", "1", str(inquiry.control_number)],
        ["IEA", "1", control],
    ]
    segments = [isa, gs, *body, *trailer]
    return "~\n".join("*".join(segment) for segment in segments) + "~\n"


# --- Reading -------------------------------------------------------------------------


class X12Error(ValueError):
    pass


def split_segments(text: str) -> list[list[str]]:
    """Segments as lists of elements, using the delimiters the ISA declares."""
    text = text.lstrip("\ufeff").strip()
    if not text.startswith("ISA") or len(text) < 106:
        raise X12Error("Not an X12 interchange (no ISA header).")
    element_sep = text[3]
    segment_term = text[105]
    segments = []
    for raw in text.split(segment_term):
        raw = raw.strip("\r\n ")
        if raw:
            segments.append(raw.split(element_sep))
    return segments


def _element(segment: list[str], index: int) -> str:
    return segment[index].strip() if len(segment) > index else ""


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
    ids = [segment[0] for segment in segments]
    if "ST" not in ids:
        raise X12Error("No transaction set (ST) in the interchange.")
    st = segments[ids.index("ST")]
    if _element(st, 1) != "271":
        raise X12Error(f"Expected a 271 response, got {_element(st, 1) or '?'}.")
    result = Parsed271(None, "", None, None, [], "", "")
    for segment in segments:
        tag = segment[0]
        if tag == "AAA" and _element(segment, 1) == "N":
            code = _element(segment, 3)
            result.rejections.append(REJECT_REASONS.get(code, f"Rejected ({code})"))
        elif tag == "TRN" and not result.trace:
            result.trace = _element(segment, 2)
        elif tag == "NM1" and _element(segment, 1) == "IL":
            result.member_id = _element(segment, 9)
        elif tag == "EB":
            code = _element(segment, 1)
            if code in ACTIVE_CODES and result.active is None:
                result.active = True
                result.plan_description = _element(segment, 5)
            elif code in INACTIVE_CODES:
                result.active = False
            elif code == "B" and result.copay is None:
                result.copay = _money(_element(segment, 7))
            elif code == "C" and _element(segment, 6) == "29":
                result.deductible_remaining = _money(_element(segment, 7))
    return result


def build_271(*, inquiry_text: str, answer: dict, when: datetime | None = None) -> str:
    """A 271 answering a 270 from a rules dict (the simulated payer's voice)."""
    segments = split_segments(inquiry_text)
    when = when or timezone.now()
    member, trace, payer, payer_id = "", "", "", ""
    family = given = ""
    for segment in segments:
        if segment[0] == "NM1" and _element(segment, 1) == "IL":
            family, given = _element(segment, 3), _element(segment, 4)
            member = _element(segment, 9)
        elif segment[0] == "NM1" and _element(segment, 1) == "PR":
            payer, payer_id = _element(segment, 3), _element(segment, 9)
        elif segment[0] == "TRN" and not trace:
            trace = _element(segment, 2)
    body = [
        ["ST", "271", "0001", IMPLEMENTATION],
        ["BHT", "0022", "11", trace, when.strftime("%Y%m%d"), when.strftime("%H%M")],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", payer, "", "", "", "", "PI", payer_id],
        ["HL", "2", "1", "21", "1"],
        ["HL", "3", "2", "22", "0"],
        ["TRN", "2", trace, "9SIMPAYER"],
        ["NM1", "IL", "1", family, given, "", "", "", "MI", member],
    ]
    if answer.get("rejected"):
        body.append(["AAA", "N", "", answer["rejected"], "C"])
    elif answer.get("active"):
        deductible = answer.get("deductible_remaining", "0")
        body += [
            ["EB", "1", "IND", "30", "", answer.get("plan", "")],
            ["EB", "B", "IND", "98", "", "", "27", answer.get("copay", "0")],
            ["EB", "C", "IND", "30", "", "", "29", deductible],
        ]  # fmt: skip
    else:
        body.append(["EB", "6", "IND", "30"])
    body.append(["SE", str(len(body) + 1), "0001"])
    isa = [
        "ISA", "00", " " * 10, "00", " " * 10, "ZZ", f"{'SIMPAYER':<15}", "ZZ",
        f"{'CLINICOPS':<15}", when.strftime("%y%m%d"), when.strftime("%H%M"), "^",
        "00501", "000000001", "0", "P", ":",
    ]  # fmt: skip
    gs = ["GS", "HB", "SIMPAYER", "CLINICOPS", when.strftime("%Y%m%d"),
          when.strftime("%H%M"), "1", "X", IMPLEMENTATION]  # fmt: skip
    segments_out = [isa, gs, *body, ["GE", "1", "1"], ["IEA", "1", "000000001"]]
    return "~\n".join("*".join(s) for s in segments_out) + "~\n"


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
    )


def send(request_text: str) -> str:
    """Hand a 270 to the clearinghouse and return its 271 (real-time exchange)."""
    url = settings.CLEARINGHOUSE_URL
    if not url:
        from registration.eligibility.simulated import rules

        inquiry = split_segments(request_text)
        payer_id = member_id = ""
        for segment in inquiry:
            if segment[0] == "NM1" and _element(segment, 1) == "PR":
                payer_id = _element(segment, 9)
            if segment[0] == "NM1" and _element(segment, 1) == "IL":
                member_id = _element(segment, 9)
        answer = rules(payer_id=payer_id, member_id=member_id)
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
