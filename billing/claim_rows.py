"""The 837P writer's input, without model instances: plain rows read in a fixed
number of queries whatever the batch's size."""

from types import SimpleNamespace

from billing.models import (
    BillingProvider,
    Claim,
    ClaimLine,
)
from registration.models import Coverage, Patient, Payer
from scheduling.models import Provider


class Rows(list):
    """A list that answers ``.all()`` like the related manager it stands in for."""

    def all(self):
        return self


class Row(SimpleNamespace):
    pass


_PATIENT_FIELDS = [
    "id", "family_name", "given_name", "middle_name", "name_suffix", "birth_date",
    "sex_at_birth", "address_line1", "address_line2", "city", "state", "postal_code",
]  # fmt: skip
_COVERAGE_FIELDS = [
    "id", "relationship", "group_number", "member_id", "subscriber_given_name",
    "subscriber_family_name", "subscriber_birth_date", "subscriber_sex",
]  # fmt: skip
_CLAIM_FIELDS = [
    "id", "claim_number", "patient_id", "coverage_id", "payer_id",
    "billing_provider_id", "rendering_provider_id", "primary_claim_id", "sequence",
    "frequency_code",
    "payer_claim_number", "place_of_service", "diagnosis_codes", "total_charge",
    "paid_amount", "adjudicated_at", "created_at",
]  # fmt: skip


def _by_id(queryset, fields) -> dict[int, Row]:
    return {row["id"]: Row(**row) for row in queryset.values(*fields)}


def claim_rows_for_837(claims_queryset) -> list[Row]:
    """What the 837P writer reads for the claims of ``claims_queryset`` (a batch's),
    as plain rows: eight queries whatever the number of claims, shared patients and
    payers read once."""
    claims = [
        Row(**row) for row in claims_queryset.order_by("id").values(*_CLAIM_FIELDS)
    ]
    primary_ids = {c.primary_claim_id for c in claims if c.primary_claim_id}
    primaries = {
        row["id"]: Row(**row)
        for row in Claim.objects.filter(pk__in=primary_ids).values(*_CLAIM_FIELDS)
    }
    everything = claims + list(primaries.values())
    patients = _by_id(
        Patient.objects.filter(pk__in={c.patient_id for c in claims}), _PATIENT_FIELDS
    )
    coverages = _by_id(
        Coverage.objects.filter(pk__in={c.coverage_id for c in everything}),
        _COVERAGE_FIELDS,
    )
    payers = _by_id(
        Payer.objects.filter(pk__in={c.payer_id for c in everything}),
        ["id", "name", "payer_id", "claim_filing_indicator"],
    )
    billing = {
        b.pk: b
        for b in BillingProvider.objects.filter(
            pk__in={c.billing_provider_id for c in claims}
        )
    }
    rendering = _by_id(
        Provider.objects.filter(pk__in={c.rendering_provider_id for c in claims}),
        ["id", "name", "npi", "taxonomy_code"],
    )
    lines: dict[int, Rows] = {}
    for row in (
        ClaimLine.objects.filter(claim__in=claims_queryset.values("pk"))
        .order_by("claim_id", "line_number")
        .values(
            "id",
            "claim_id",
            "code",
            "modifiers",
            "units",
            "charge_amount",
            "diagnosis_pointers",
            "service_date",
            "prior_paid",
            "prior_adjustments",
        )  # fmt: skip
    ):
        line = Row(**row)
        line.pk = line.id
        line.modifier_list = line.modifiers.split()
        line.pointer_list = line.diagnosis_pointers.split()
        lines.setdefault(line.claim_id, Rows()).append(line)
    for claim in everything:
        claim.coverage = coverages[claim.coverage_id]
        claim.payer = payers[claim.payer_id]
    for claim in claims:
        claim.pk = claim.id
        claim.patient = patients[claim.patient_id]
        claim.billing_provider = billing[claim.billing_provider_id]
        claim.rendering_provider = rendering[claim.rendering_provider_id]
        claim.primary_claim = primaries.get(claim.primary_claim_id)
        claim.diagnosis_list = claim.diagnosis_codes.split()
        claim.lines = lines.get(claim.id, Rows())
    return claims
