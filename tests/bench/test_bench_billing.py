"""Billing benchmarks (make bench): build the 837P for 10,000 claims (target ≤ 3 s)
and post an 835 with 10,000 claim payments (target ≤ 10 s). Figures, not asserts."""

import os
import statistics
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.claim_rows import claim_rows_for_837
from billing.models import BillingProvider, Claim, ClaimLine
from billing.services import remittance_import
from billing.services.submission import claims_for_837, envelope_for
from billing.x12.writer_835 import remit_for_claim, write_835
from billing.x12.writer_837 import write_837p
from registration.models import Coverage, Patient
from scheduling.models import Appointment
from tests.billing.factories import BillingProviderFactory, patient_with_address
from tests.registration.factories import PayerFactory
from tests.scheduling.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    ProviderFactory,
)

pytestmark = pytest.mark.django_db

CLAIMS = 10_000
PATIENTS = 200
RUNS = 3


def _seed() -> list[int]:
    provider_row = BillingProviderFactory()
    payer = PayerFactory(name="Bench Health")
    location = LocationFactory()
    rendering = ProviderFactory(taxonomy_code="207Q00000X")
    visit_type = AppointmentTypeFactory(billing_code="99213")
    patients = [patient_with_address() for _ in range(PATIENTS)]
    coverages = Coverage.objects.bulk_create(
        [
            Coverage(patient=p, payer=payer, member_id=f"BM{i:07d}", group_number="G1")
            for i, p in enumerate(patients)
        ]
    )
    start = timezone.now() - timedelta(days=300)
    visits = Appointment.objects.bulk_create(
        [
            Appointment(
                patient=patients[i % PATIENTS],
                provider=rendering,
                location=location,
                appointment_type=visit_type,
                start=start + timedelta(minutes=30 * i),
                end=start + timedelta(minutes=30 * i + 20),
                status="completed",
            )
            for i in range(CLAIMS)
        ],
        batch_size=2000,
    )
    claims = Claim.objects.bulk_create(
        [
            Claim(
                claim_number=f"V{visit.pk}-1",
                appointment=visit,
                patient=patients[i % PATIENTS],
                coverage=coverages[i % PATIENTS],
                payer=payer,
                billing_provider=provider_row,
                rendering_provider=rendering,
                service_date=timezone.localtime(visit.start).date(),
                diagnosis_codes="E11.9 I10",
                total_charge=Decimal("135.00"),
                status="submitted",
            )
            for i, visit in enumerate(visits)
        ],
        batch_size=2000,
    )
    ClaimLine.objects.bulk_create(
        [
            ClaimLine(
                claim=claim,
                line_number=number,
                service_date=claim.service_date,
                code=code,
                units=Decimal("1"),
                charge_amount=Decimal(amount),
                diagnosis_pointers="1 2",
            )
            for claim in claims
            for number, (code, amount) in enumerate(
                [("99213", "120.00"), ("36415", "15.00")], start=1
            )
        ],
        batch_size=4000,
    )
    assert Patient.objects.count() >= PATIENTS
    return [c.pk for c in claims]


def test_bench_837p_and_835_with_10000_claims():
    ids = _seed()
    provider = BillingProvider.objects.get()
    build, build_cpu = [], []
    for run in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        claims = claim_rows_for_837(Claim.objects.all())
        envelope = envelope_for(
            isa=run + 1, gs=run + 1, st=1, now=timezone.now(), provider=provider
        )
        text = write_837p(claims=claims, envelope=envelope)
        build.append(time.perf_counter() - started)
        build_cpu.append(time.process_time() - started_cpu)
    assert text.count("CLM*") == CLAIMS
    assert text.count("ST*837*") == 2
    print(
        f"\n837P: {statistics.median(build):.2f} s to build {CLAIMS:,} claims "
        f"({len(text) / 1e6:.1f} MB, 2 ST sets; target ≤ 3 s; median of {RUNS}: "
        + ", ".join(f"{t:.2f}" for t in build)
        + f"); app CPU {statistics.median(build_cpu):.2f} s"
    )
    remits = [remit_for_claim(claim, outcome="paid") for claim in claims_for_837(ids)]
    posting, posting_cpu = [], []
    for run in range(RUNS):
        text = write_835(
            trace_number=f"BENCH-{run}",
            payer_name="Bench Health",
            payer_tax_id="987654321",
            payee_name=provider.name,
            payee_npi=provider.npi,
            payment_date=timezone.localdate(),
            claims=remits,
            control_number=900 + run,
        )
        started, started_cpu = time.perf_counter(), time.process_time()
        remittance = remittance_import(text=text, file_name=f"bench-{run}.835")
        posting.append(time.perf_counter() - started)
        posting_cpu.append(time.process_time() - started_cpu)
        assert remittance.claim_count == CLAIMS
        assert remittance.unmatched_count == 0
    assert Claim.objects.filter(status="paid").count() == CLAIMS
    print(
        f"835: {statistics.median(posting):.2f} s to post {CLAIMS:,} claim payments "
        f"(20,000 lines; target ≤ 10 s; median of {RUNS}: "
        + ", ".join(f"{t:.2f}" for t in posting)
        + f"); app CPU {statistics.median(posting_cpu):.2f} s"
    )
    print(f"  load average during the run: {os.getloadavg()[0]:.1f}")
