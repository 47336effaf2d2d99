"""The 835 (005010X221A1) reader: one payment, its claims, lines and adjustments.

Reading never writes; a file that cannot be read raises ``X12Error`` with the
segment number and what is wrong, and the importer posts nothing of it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from clinic.x12.reader import Segment, X12Error, head_segments, split_segments

REVERSAL = "22"
DENIED = "4"


@dataclass
class Adjustment:
    group: str
    reason: str
    amount: Decimal

    def as_dict(self) -> dict:
        return {"group": self.group, "reason": self.reason, "amount": str(self.amount)}

    def as_row(self) -> list[str]:
        return [self.group, self.reason, str(self.amount)]


@dataclass
class ServiceRemit:
    code: str
    modifiers: list[str]
    charge: Decimal
    paid: Decimal
    units: Decimal
    control_number: str = ""
    adjustments: list[Adjustment] = field(default_factory=list)


@dataclass
class ClaimRemit:
    patient_control_number: str
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    payer_claim_number: str
    adjustments: list[Adjustment] = field(default_factory=list)
    services: list[ServiceRemit] = field(default_factory=list)

    @property
    def is_reversal(self) -> bool:
        return self.status_code == REVERSAL

    def all_adjustments(self) -> list[Adjustment]:
        found = list(self.adjustments)
        for service in self.services:
            found += service.adjustments
        return found


@dataclass
class Remittance835:
    trace_number: str
    payer_identifier: str
    payer_name: str
    payment_amount: Decimal
    payment_method: str
    payment_date: date | None
    claims: list[ClaimRemit] = field(default_factory=list)
    provider_adjustment: Decimal = Decimal("0")


def _money(seg: Segment, index: int, *, required: bool = True) -> Decimal:
    raw = seg.get(index)
    if raw == "" and not required:
        return Decimal("0")
    try:
        return Decimal(raw).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise X12Error(
            f"Segment {seg.position} ({seg.id}{index:02d}): '{raw}' is not an amount."
        ) from None


def _date(seg: Segment, raw: str) -> date | None:
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y%m%d").date()
    except ValueError:
        raise X12Error(
            f"Segment {seg.position} ({seg.id}): '{raw}' is not a date."
        ) from None


def _adjustments(seg: Segment) -> list[Adjustment]:
    group = seg.get(1)
    if group not in ("CO", "CR", "OA", "PI", "PR"):
        raise X12Error(
            f"Segment {seg.position} (CAS01): '{group}' is not an adjustment group."
        )
    found = []
    for start in range(2, 20, 3):
        reason = seg.get(start)
        if not reason:
            continue
        found.append(Adjustment(group, reason, _money(seg, start + 1)))
    return found


def trace_of(text: str) -> tuple[str, str] | None:
    """TRN02 and TRN03 (trace number and payer) read from the head of the file
    alone, cheaply, whatever its size; None when the head holds no TRN."""
    for seg in head_segments(text):
        if seg.id == "TRN" and seg.get(2):
            return seg.get(2), seg.get(3)
    return None


def parse_835(text: str) -> Remittance835:
    segments = split_segments(text)
    st = [s for s in segments if s.id == "ST"]
    if not st or st[0].get(1) != "835":
        kind = st[0].get(1) if st else "none"
        raise X12Error(f"This is not an 835 remittance (transaction set {kind}).")
    if len(st) > 1:
        raise X12Error("The file holds more than one 835: import them one by one.")
    start = segments.index(st[0])
    se = next((s for s in segments[start:] if s.id == "SE"), None)
    if se is None:
        raise X12Error("The 835 has no SE segment: it was cut short.")
    count = segments.index(se) - start + 1
    if se.get(1) != str(count):
        raise X12Error(
            f"SE01 says {se.get(1)} segments but the transaction set has {count}."
        )
    bpr = next((s for s in segments if s.id == "BPR"), None)
    trn = next((s for s in segments if s.id == "TRN"), None)
    if bpr is None or trn is None or not trn.get(2):
        raise X12Error("The 835 has no BPR payment or no TRN trace number.")
    payer = next((s for s in segments if s.id == "N1" and s.get(1) == "PR"), None)
    remit = Remittance835(
        trace_number=trn.get(2),
        payer_identifier=trn.get(3),
        payer_name=payer.get(2) if payer else "",
        payment_amount=_money(bpr, 2),
        payment_method=bpr.get(4),
        payment_date=_date(bpr, bpr.get(16)),
    )
    claim: ClaimRemit | None = None
    service: ServiceRemit | None = None
    for seg in segments[start:]:
        if seg.id == "CLP":
            service = None
            claim = ClaimRemit(
                patient_control_number=seg.get(1),
                status_code=seg.get(2),
                charge=_money(seg, 3),
                paid=_money(seg, 4),
                patient_responsibility=_money(seg, 5, required=False),
                payer_claim_number=seg.get(7),
            )
            if not claim.patient_control_number:
                raise X12Error(f"Segment {seg.position} (CLP01): no claim number.")
            remit.claims.append(claim)
        elif seg.id == "SVC" and claim is not None:
            parts = seg.components(1)
            service = ServiceRemit(
                code=parts[1] if len(parts) > 1 else "",
                modifiers=[p for p in parts[2:6] if p],
                charge=_money(seg, 2),
                paid=_money(seg, 3),
                units=Decimal(seg.get(5) or "1"),
            )
            claim.services.append(service)
        elif seg.id == "CAS" and claim is not None:
            target = service.adjustments if service else claim.adjustments
            target.extend(_adjustments(seg))
        elif seg.id == "REF" and seg.get(1) == "6R" and service is not None:
            service.control_number = seg.get(2)
        elif seg.id == "PLB":
            for index in range(4, 14, 2):
                if seg.get(index):
                    remit.provider_adjustment += _money(seg, index)
        elif seg.id in ("LX", "SE"):
            claim = None if seg.id == "SE" else claim
            service = None
    paid = sum((c.paid for c in remit.claims), Decimal("0"))
    if paid - remit.provider_adjustment != remit.payment_amount:
        raise X12Error(
            f"BPR02 pays {remit.payment_amount} but the claims add up to "
            f"{paid - remit.provider_adjustment}: the file does not balance."
        )
    return remit
