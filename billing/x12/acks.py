"""Readers of the clearinghouse's acknowledgements: 999 (was the file well formed?)
and 277CA (was each claim accepted into the payer's system?)."""

from dataclasses import dataclass, field

from clinic.x12.reader import X12Error, split_segments

# IK4 / IK3 error codes worth words on screen (X12 999 data element 621 and 620).
IK3_WORDS = {
    "1": "unrecognised segment",
    "2": "unexpected segment",
    "3": "required segment missing",
    "4": "loop occurs over maximum times",
    "5": "segment exceeds maximum use",
    "8": "segment has data element errors",
}
IK4_WORDS = {
    "1": "required data element missing",
    "2": "conditional required data element missing",
    "3": "too many data elements",
    "4": "data element too short",
    "5": "data element too long",
    "6": "invalid character in data element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
}


@dataclass
class SetAck:
    st_control: str
    accepted: bool
    errors: list[str] = field(default_factory=list)


@dataclass
class FunctionalAck:
    gs_control: int
    accepted: bool
    sets: list[SetAck] = field(default_factory=list)


@dataclass
class ClaimAck:
    claim_number: str
    accepted: bool
    reason: str


def transaction_kind(text: str) -> str:
    """ST01 of the first transaction set: "999", "277", "835", ..."""
    st = next((s for s in split_segments(text) if s.id == "ST"), None)
    if st is None:
        raise X12Error("The file holds no transaction set (no ST segment).")
    return st.get(1)


def parse_999(text: str) -> list[FunctionalAck]:
    acks: list[FunctionalAck] = []
    current: FunctionalAck | None = None
    set_ack: SetAck | None = None
    for seg in split_segments(text):
        if seg.id == "AK1":
            try:
                current = FunctionalAck(gs_control=int(seg.get(2)), accepted=True)
            except ValueError:
                raise X12Error(
                    f"AK1 names no group control number: {seg.get(2)}"
                ) from None
            acks.append(current)
        elif seg.id == "AK2" and current is not None:
            set_ack = SetAck(st_control=seg.get(2), accepted=True)
            current.sets.append(set_ack)
        elif seg.id == "IK3" and set_ack is not None:
            words = IK3_WORDS.get(seg.get(4), f"error {seg.get(4)}")
            set_ack.errors.append(f"{seg.get(1)} (loop {seg.get(3)}): {words}")
        elif seg.id == "IK4" and set_ack is not None:
            words = IK4_WORDS.get(seg.get(3), f"error {seg.get(3)}")
            detail = f" '{seg.get(4)}'" if seg.get(4) else ""
            set_ack.errors.append(f"element {seg.get(1)}: {words}{detail}")
        elif seg.id == "IK5" and set_ack is not None:
            set_ack.accepted = seg.get(1) in ("A", "E")
        elif seg.id == "AK9" and current is not None:
            current.accepted = seg.get(1) in ("A", "E")
    if not acks:
        raise X12Error("The 999 acknowledges no group (no AK1 segment).")
    return acks


def parse_277ca(text: str) -> list[ClaimAck]:
    """Claim-level answers: the TRN*2 of each patient loop and its STC."""
    found: list[ClaimAck] = []
    claim_number = ""
    in_patient = False
    for seg in split_segments(text):
        if seg.id == "HL":
            in_patient = seg.get(3) == "PT"
            claim_number = ""
        elif seg.id == "TRN" and in_patient and seg.get(1) == "2":
            claim_number = seg.get(2)
        elif seg.id == "STC" and in_patient and claim_number:
            category = seg.components(1)[0]
            reason = seg.get(12) or " ".join(
                part for part in seg.components(1)[1:] if part
            )
            # A1/A2: acknowledged / accepted into adjudication; A3, A4, A6-A8: returned.
            found.append(
                ClaimAck(
                    claim_number=claim_number,
                    accepted=category in ("A1", "A2", "A5"),
                    reason=f"{category}: {reason}".strip(": "),
                )
            )
            claim_number = ""
    return found
