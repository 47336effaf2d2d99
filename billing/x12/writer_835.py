"""A payer's 835 and a clearinghouse's 999 / 277CA, written for demo data, tests and
benchmarks (the clinic never sends these; it reads them)."""

from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal

from billing.x12.reader_835 import Adjustment, ClaimRemit, ServiceRemit
from billing.x12.writer_837 import VERSION as VERSION_837
from clinic.x12.elements import amount, clean, composite, d8, segment
from clinic.x12.envelope import Exchange, interchange, transaction_set

VERSION_835 = "005010X221A1"
VERSION_999 = "005010X231A1"
VERSION_277 = "005010X214"


def _clearinghouse(control_number: int, functional_code: str, version: str):
    """The clearinghouse's envelope for its acknowledgements to the clinic."""
    return Exchange(
        sender_id="CLEARHOUSE",
        receiver_id="CLINICOPS",
        functional_code=functional_code,
        version=version,
        isa_control=control_number,
        gs_control=control_number,
        when=datetime(2026, 1, 1, 12, 0),
        usage="T",
    )


def _cas(out: list[str], adjustments: Sequence[Adjustment]) -> None:
    groups: dict[str, list[Adjustment]] = {}
    for adj in adjustments:
        groups.setdefault(adj.group, []).append(adj)
    for group, items in groups.items():
        elements = []
        for item in items[:6]:
            elements += [item.reason, amount(item.amount), ""]
        out.append(segment("CAS", group, *elements))


def write_835(
    *,
    trace_number: str,
    payer_name: str,
    payer_tax_id: str,
    payee_name: str,
    payee_npi: str,
    payment_date: date,
    claims: Sequence[ClaimRemit],
    control_number: int = 1,
    sender_id: str = "PAYER",
    receiver_id: str = "CLINICOPS",
    patient_names: dict[str, tuple[str, str, str]] | None = None,
) -> str:
    """An 835 paying ``claims``; ``patient_names`` maps CLP01 to (last, first, id)."""
    total = sum((c.paid for c in claims), Decimal("0"))
    exchange = Exchange(
        sender_id=sender_id,
        receiver_id=receiver_id,
        functional_code="HP",
        version=VERSION_835,
        isa_control=control_number,
        gs_control=control_number,
        when=datetime.combine(payment_date, time(12, 0)),
        usage="T",
    )
    body = [
        segment(
            "BPR",
            "I" if total else "H",
            amount(total),
            "C",
            "CHK" if total else "NON",
            *([""] * 11),
            d8(payment_date),
        ),  # fmt: skip
        segment("TRN", "1", clean(trace_number), f"1{payer_tax_id}"),
        segment("DTM", "405", d8(payment_date)),
        segment("N1", "PR", clean(payer_name)[:60]),
        segment("N3", "1 Payer Plaza"),
        segment("N4", "Hartford", "CT", "06101"),
        segment("PER", "BL", "Provider services", "TE", "8005550100"),
        segment("N1", "PE", clean(payee_name)[:60], "XX", payee_npi),
        segment("N3", "1 Clinic Way"),
        segment("N4", "Springfield", "IL", "62701"),
        segment("LX", "1"),
    ]
    names = patient_names or {}
    for claim in claims:
        body.append(
            segment(
                "CLP",
                clean(claim.patient_control_number),
                claim.status_code,
                amount(claim.charge),
                amount(claim.paid),
                amount(claim.patient_responsibility)
                if claim.patient_responsibility
                else "",
                "12",
                clean(claim.payer_claim_number),
                "11",
                "1",
            )
        )
        _cas(body, claim.adjustments)
        last, first, member = names.get(
            claim.patient_control_number, ("PATIENT", "UNKNOWN", "UNKNOWN")
        )
        body.append(
            segment("NM1", "QC", "1", clean(last), clean(first), "", "", "", "MI",
                    clean(member))
        )  # fmt: skip
        for service in claim.services:
            body.append(
                segment(
                    "SVC",
                    composite("HC", service.code, *service.modifiers),
                    amount(service.charge),
                    amount(service.paid),
                    "",
                    amount(service.units),
                )
            )
            body.append(segment("DTM", "472", d8(payment_date)))
            _cas(body, service.adjustments)
            if service.control_number:
                body.append(segment("REF", "6R", service.control_number))
    return interchange(
        exchange,
        [transaction_set(kind="835", control=1, version=VERSION_835, body=body)],
    )


def remit_for_claim(
    claim, *, outcome: str, payer_claim_number: str = "", allowed_share="0.80"
) -> ClaimRemit:
    """What a payer would answer for ``claim`` (with its lines): ``paid`` pays
    ``allowed_share`` of each line (the rest contractual), ``partial`` denies the
    last line, ``denied`` denies all, ``reversal`` takes a payment back."""
    share = Decimal(allowed_share)
    services = []
    lines = list(claim.lines.all())
    for index, line in enumerate(lines):
        denied = outcome == "denied" or (
            outcome == "partial" and index == len(lines) - 1 and len(lines) > 1
        )
        if denied:
            paid = Decimal("0.00")
            adjustments = [Adjustment("CO", "50", line.charge_amount)]
        else:
            paid = (line.charge_amount * share).quantize(Decimal("0.01"))
            rest = line.charge_amount - paid
            copay = min(Decimal("20.00"), paid) if index == 0 else Decimal("0.00")
            paid -= copay
            adjustments = [Adjustment("CO", "45", rest)]
            if copay:
                adjustments.append(Adjustment("PR", "3", copay))
        services.append(
            ServiceRemit(
                code=line.code,
                modifiers=line.modifier_list,
                charge=line.charge_amount,
                paid=paid,
                units=line.units,
                control_number=str(line.pk),
                adjustments=adjustments,
            )
        )
    if outcome == "partial" and len(lines) == 1:
        # One line: pay half of what "paid" would.
        service = services[0]
        half = (service.paid / 2).quantize(Decimal("0.01"))
        service.adjustments.append(Adjustment("CO", "97", service.paid - half))
        service.paid = half
    paid = sum((s.paid for s in services), Decimal("0.00"))
    patient = sum(
        (a.amount for s in services for a in s.adjustments if a.group == "PR"),
        Decimal("0.00"),
    )
    status = {"denied": "4", "reversal": "22"}.get(outcome, "1")
    remit = ClaimRemit(
        patient_control_number=claim.claim_number,
        status_code=status,
        charge=claim.total_charge,
        paid=paid,
        patient_responsibility=patient,
        payer_claim_number=payer_claim_number or f"PCN{claim.pk:010d}",
        services=services,
    )
    if outcome == "reversal":
        remit.charge = -remit.charge
        remit.paid = -remit.paid
        remit.patient_responsibility = -remit.patient_responsibility
        for service in services:
            service.charge = -service.charge
            service.paid = -service.paid
            for adj in service.adjustments:
                adj.amount = -adj.amount
    return remit


def write_999(*, batch, accepted: bool, control_number: int = 1, note: str = "") -> str:
    """A 999 for a batch: accepted (A) or rejected (R) for every ST."""
    code = "A" if accepted else "R"
    body = [segment("AK1", "HC", batch.gs_control_number, VERSION_837)]
    for offset in range(batch.transaction_count):
        body.append(
            segment(
                "AK2", "837", f"{batch.st_control_number + offset:04d}", VERSION_837
            )
        )
        if not accepted:
            body.append(segment("IK3", "NM1", "12", "2010", "8"))
            body.append(segment("IK4", "9", "", "7", clean(note)[:99]))
        body.append(segment("IK5", code, *([] if accepted else ["5"])))
    n = batch.transaction_count
    body.append(segment("AK9", code, n, n, n if accepted else 0))
    return interchange(
        _clearinghouse(control_number, "FA", VERSION_999),
        [transaction_set(kind="999", control=1, version=VERSION_999, body=body)],
    )


def write_277ca(
    *, results: Sequence[tuple[str, bool, str]], control_number: int = 1
) -> str:
    """A 277CA: for each (claim number, accepted, reason) an STC A1/A2 or A3."""
    body = [
        segment("BHT", "0085", "08", f"R{control_number}", "20260101", "1200", "TH"),
        segment("HL", "1", "", "20", "1"),
        segment("NM1", "PR", "2", "CLEARINGHOUSE", "", "", "", "", "46", "CLEARHOUSE"),
        segment("TRN", "1", f"{control_number}"),
        segment("DTP", "050", "D8", "20260101"),
        segment("DTP", "009", "D8", "20260101"),
        segment("HL", "2", "1", "21", "1"),
        segment("NM1", "41", "2", "CLINICOPS", "", "", "", "", "46", "CLINICOPS"),
        segment("TRN", "2", f"{control_number}"),
        segment("HL", "3", "2", "19", "1"),
        segment("NM1", "85", "2", "CLINIC", "", "", "", "", "XX", "1234567893"),
    ]
    hl = 3
    for claim_number, accepted, reason in results:
        hl += 1
        body.append(segment("HL", hl, "3", "PT"))
        body.append(segment("NM1", "QC", "1", "PATIENT", "", "", "", "", "MI", "X"))
        body.append(segment("TRN", "2", clean(claim_number)))
        if accepted:
            body.append(segment("STC", "A1:20", "20260101", "WQ", "0"))
        else:
            body.append(
                segment("STC", "A3:21", "20260101", "U", "0", "", "", "", "", "",
                        "", "", clean(reason)[:264])
            )  # fmt: skip
    return interchange(
        _clearinghouse(control_number, "HN", VERSION_277),
        [transaction_set(kind="277", control=1, version=VERSION_277, body=body)],
    )
