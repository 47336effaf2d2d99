"""The 837P (005010X222A1) writer: a batch of claims as one interchange.

One GS group holds one or more ST transaction sets of at most ``CLAIMS_PER_ST``
claims (the implementation guide's recommended ceiling); each ST has one billing
provider loop per billing provider, one subscriber loop per claim, and a patient
loop when the patient is not the subscriber.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from clinic.x12.elements import (
    amount,
    clean,
    composite,
    d8,
    quantity,
    segment,
    sex_code,
)
from clinic.x12.envelope import Exchange, interchange, transaction_set

VERSION = "005010X222A1"
CLAIMS_PER_ST = 5000
SELF = "18"
# SV103: every line counts units (UN), never minutes (MJ).
UNIT_CODE = "UN"


@dataclass(frozen=True)
class Envelope:
    sender_id: str
    receiver_id: str
    receiver_name: str
    submitter_name: str
    contact_name: str
    contact_phone: str
    usage: str  # T (test) or P (production)
    isa_control: int
    gs_control: int
    st_control_start: int
    created: datetime


def transaction_count(claim_count: int) -> int:
    return max(1, -(-claim_count // CLAIMS_PER_ST))


def _person_name(full_name: str) -> tuple[str, str]:
    """(last, first) of a provider's display name: "Tomas Lindqvist"."""
    parts = clean(full_name).split()
    if len(parts) == 1:
        return parts[0], ""
    return parts[-1], " ".join(parts[:-1])


def _nm1(
    entity: str,
    entity_type: str,
    last,
    first="",
    middle="",
    suffix="",
    id_qualifier="",
    ident="",
) -> str:
    """NM1, a party's name: NM102 "1" a person, "2" an organisation; the last
    name or organisation at most 60 characters, the first 35, the middle 25, the
    suffix 10, the id (NM109, after its qualifier) 80; each cleaned."""
    return segment(
        "NM1",
        entity,
        entity_type,
        clean(last)[:60],
        clean(first)[:35],
        clean(middle)[:25],
        "",
        clean(suffix)[:10],
        id_qualifier,
        clean(ident)[:80],
    )


def _sbr(claim, relationship: str) -> str:
    """SBR, whose coverage pays: the claim's payer sequence (P, S, T), the
    subscriber's relationship to the patient, the group number (at most 50) and
    the payer's claim filing indicator."""
    return segment(
        "SBR",
        claim.sequence,
        relationship,
        clean(claim.coverage.group_number)[:50],
        "",
        "",
        "",
        "",
        "",
        claim.payer.claim_filing_indicator,
    )


def _zip(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _address(out: list[str], patient) -> None:
    line2 = clean(patient.address_line2)
    out.append(segment("N3", clean(patient.address_line1)[:55], line2[:55]))
    out.append(
        segment(
            "N4",
            clean(patient.city)[:30],
            clean(patient.state)[:2],
            _zip(patient.postal_code)[:9],
        )
    )


def _billing_provider(out: list[str], hl: int, provider) -> None:
    out.append(segment("HL", hl, "", "20", "1"))
    if provider.taxonomy_code:
        out.append(segment("PRV", "BI", "PXC", clean(provider.taxonomy_code)))
    out.append(_nm1("85", "2", provider.name, id_qualifier="XX", ident=provider.npi))
    out.append(segment("N3", clean(provider.address_line1)[:55]))
    out.append(
        segment(
            "N4",
            clean(provider.city)[:30],
            clean(provider.state)[:2],
            _zip(provider.postal_code),
        )
    )
    out.append(segment("REF", "EI", provider.tax_id))


def _subscriber(out: list[str], hl: int, parent: int, claim) -> int:
    """Loops 2000B/2010BA/2010BB (and 2000C/2010CA); returns the next HL number."""
    coverage = claim.coverage
    patient = claim.patient
    is_self = coverage.relationship == SELF
    out.append(segment("HL", hl, parent, "22", "0" if is_self else "1"))
    out.append(_sbr(claim, SELF if is_self else ""))
    if is_self:
        last, first, middle, suffix = (
            patient.family_name,
            patient.given_name,
            patient.middle_name,
            patient.name_suffix,
        )
    else:
        last, first, middle, suffix = (
            coverage.subscriber_family_name,
            coverage.subscriber_given_name,
            "",
            "",
        )
    out.append(_nm1("IL", "1", last, first, middle, suffix, "MI", coverage.member_id))
    if is_self:
        _address(out, patient)
        out.append(
            segment("DMG", "D8", d8(patient.birth_date), sex_code(patient.sex_at_birth))
        )
    elif coverage.subscriber_birth_date:
        out.append(
            segment(
                "DMG",
                "D8",
                d8(coverage.subscriber_birth_date),
                sex_code(coverage.subscriber_sex),
            )
        )
    out.append(
        _nm1("PR", "2", claim.payer.name, "", "", "", "PI", claim.payer.payer_id)
    )
    hl += 1
    if not is_self:
        out.append(segment("HL", hl, hl - 1, "23", "0"))
        out.append(segment("PAT", coverage.relationship))
        out.append(
            _nm1(
                "QC",
                "1",
                patient.family_name,
                patient.given_name,
                patient.middle_name,
                patient.name_suffix,
            )
        )
        _address(out, patient)
        out.append(
            segment("DMG", "D8", d8(patient.birth_date), sex_code(patient.sex_at_birth))
        )
        hl += 1
    return hl


def _cas(out: list[str], adjustments: Iterable[dict]) -> None:
    """CAS segments, one per group, up to six reasons each."""
    ordered = sorted(adjustments, key=lambda a: a["group"])
    for group, items in groupby(ordered, key=lambda a: a["group"]):
        items = list(items)
        for start in range(0, len(items), 6):
            elements = []
            for item in items[start : start + 6]:
                elements += [item["reason"], amount(item["amount"]), ""]
            out.append(segment("CAS", group, *elements))


def _other_payer(out: list[str], claim) -> None:
    """Loop 2320/2330A/2330B: the primary payer's adjudication on a secondary claim."""
    primary = claim.primary_claim
    coverage = primary.coverage
    patient = claim.patient
    out.append(_sbr(primary, coverage.relationship))
    out.append(segment("AMT", "D", amount(primary.paid_amount)))
    out.append(segment("OI", "", "", "Y", "", "", "Y"))
    if coverage.relationship == SELF:
        last, first = patient.family_name, patient.given_name
    else:
        last, first = coverage.subscriber_family_name, coverage.subscriber_given_name
    out.append(_nm1("IL", "1", last, first, "", "", "MI", coverage.member_id))
    payer = primary.payer
    out.append(_nm1("PR", "2", payer.name, "", "", "", "PI", payer.payer_id))


def _claim(out: list[str], claim, lines: Sequence) -> None:
    out.append(
        segment(
            "CLM",
            clean(claim.claim_number),
            amount(claim.total_charge),
            "",
            "",
            composite(claim.place_of_service, "B", claim.frequency_code),
            "Y",
            "A",
            "Y",
            "Y",
        )
    )
    if claim.frequency_code != "1":
        out.append(segment("REF", "F8", clean(claim.payer_claim_number)[:50]))
    codes = [code.replace(".", "") for code in claim.diagnosis_list[:12]]
    if codes:
        out.append(
            segment(
                "HI",
                *(
                    composite("ABK" if i == 0 else "ABF", code)
                    for i, code in enumerate(codes)
                ),
            )
        )
    rendering = claim.rendering_provider
    last, first = _person_name(rendering.name)
    out.append(_nm1("82", "1", last, first, id_qualifier="XX", ident=rendering.npi))
    if rendering.taxonomy_code:
        out.append(segment("PRV", "PE", "PXC", clean(rendering.taxonomy_code)))
    if claim.primary_claim_id:
        _other_payer(out, claim)
    primary_payer_id = (
        clean(claim.primary_claim.payer.payer_id)[:80] if claim.primary_claim_id else ""
    )
    for number, line in enumerate(lines, start=1):
        out.append(segment("LX", number))
        out.append(
            segment(
                "SV1",
                composite("HC", line.code, *line.modifier_list[:4]),
                amount(line.charge_amount),
                UNIT_CODE,
                quantity(line.units),
                "",
                "",
                composite(*line.pointer_list[:4]),
            )
        )
        out.append(segment("DTP", "472", "D8", d8(line.service_date)))
        out.append(segment("REF", "6R", str(line.pk)))
        if claim.primary_claim_id and line.prior_paid is not None:
            out.append(
                segment(
                    "SVD",
                    primary_payer_id,
                    amount(line.prior_paid),
                    composite("HC", line.code, *line.modifier_list[:4]),
                    "",
                    quantity(line.units),
                )
            )
            _cas(out, line.prior_adjustments)
            adjudicated = claim.primary_claim.adjudicated_at or claim.created_at
            out.append(segment("DTP", "573", "D8", d8(adjudicated.date())))


def write_837p(*, claims: Sequence, envelope: Envelope) -> str:
    """The interchange for ``claims`` (with lines prefetched as ``claim.lines``)."""
    created = envelope.created
    chunks = [
        claims[start : start + CLAIMS_PER_ST]
        for start in range(0, len(claims), CLAIMS_PER_ST)
    ] or [[]]
    sets = []
    for offset, chunk in enumerate(chunks):
        body: list[str] = [
            segment(
                "BHT",
                "0019",
                "00",
                f"{envelope.isa_control}{offset:02d}",
                created.strftime("%Y%m%d"),
                created.strftime("%H%M"),
                "CH",
            ),
            _nm1(
                "41",
                "2",
                envelope.submitter_name,
                id_qualifier="46",
                ident=envelope.sender_id,
            ),
            segment(
                "PER",
                "IC",
                clean(envelope.contact_name)[:60],
                "TE",
                _zip(envelope.contact_phone)[:10],
            ),
            _nm1(
                "40",
                "2",
                envelope.receiver_name,
                id_qualifier="46",
                ident=envelope.receiver_id,
            ),
        ]
        hl = 1
        ordered = sorted(chunk, key=lambda c: c.billing_provider_id)
        for _provider_id, group in groupby(
            ordered, key=lambda c: c.billing_provider_id
        ):
            group = list(group)
            parent = hl
            _billing_provider(body, hl, group[0].billing_provider)
            hl += 1
            for claim in group:
                hl = _subscriber(body, hl, parent, claim)
                _claim(body, claim, list(claim.lines.all()))
        sets.append(
            transaction_set(
                kind="837",
                control=envelope.st_control_start + offset,
                version=VERSION,
                body=body,
            )
        )
    exchange = Exchange(
        sender_id=envelope.sender_id,
        receiver_id=envelope.receiver_id,
        functional_code="HC",
        version=VERSION,
        isa_control=envelope.isa_control,
        gs_control=envelope.gs_control,
        when=created,
        usage=envelope.usage,
        ack_requested=True,
    )
    return interchange(exchange, sets)
