"""Demo data of billing (``seed_demo``): the billing provider and fee schedule,
completed visits with charges, claims in every state, a submitted batch answered by
a 999, a 277CA and an 835 that pays, partly pays and denies, and older claims for
the A/R aging and the unpaid queue."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from billing import services
from billing.exceptions import BillingError
from billing.icd10cm import icd10cm_words
from billing.models import (
    BillingProvider,
    Claim,
    FeeScheduleEntry,
    PayerBillingProfile,
    VisitDiagnosis,
)
from billing.x12.reader_835 import ClaimRemit
from billing.x12.writer_835 import remit_for_claim, write_277ca, write_835, write_999
from registration.models import Payer
from scheduling.models import Appointment, AppointmentType, Provider

FEES = [
    ("99204", "Office visit, new patient, moderate", "250.00"),
    ("99213", "Office visit, established, low", "120.00"),
    ("99214", "Office visit, established, moderate", "180.00"),
    ("99396", "Preventive visit, 40-64 years", "220.00"),
    ("11102", "Tangential skin biopsy, single lesion", "160.00"),
    ("96365", "IV infusion, initial hour", "300.00"),
    ("96366", "IV infusion, each additional hour", "90.00"),
    ("J1100", "Dexamethasone sodium phosphate, 1 mg", "4.50"),
    ("36415", "Routine venipuncture", "15.00"),
    ("85025", "Complete blood count with differential", "35.00"),
    ("80053", "Comprehensive metabolic panel", "45.00"),
]
# Billable ICD-10-CM codes; their words come from the code table.
DIAGNOSES = ["E11.9", "I10", "E78.5", "Z00.00", "J45.909", "M54.50", "D64.9", "L82.1"]
EXTRA_CODES = {"99213": ["36415", "85025"], "96365": ["96366", "J1100"]}


def _setup() -> BillingProvider:
    provider = BillingProvider.objects.create(
        name=settings.CLINIC_NAME[:60],
        npi=settings.CLINIC_NPI,
        tax_id="123456789",
        taxonomy_code="207Q00000X",
        address_line1="1 Clinic Way",
        city="Springfield",
        state="IL",
        postal_code="627011234",
        contact_name="Bill Ledger",
        contact_phone="2175550100",
    )
    for code, description, price in FEES:
        FeeScheduleEntry.objects.get_or_create(
            code=code,
            modifiers="",
            defaults={"description": description, "price": Decimal(price)},
        )
    for payer in Payer.objects.filter(claim_filing_indicator__in=["MB", "MC"]):
        PayerBillingProfile.objects.get_or_create(
            payer=payer,
            defaults={
                "timely_filing_days": 365
                if payer.claim_filing_indicator == "MB"
                else 180
            },
        )
    return provider


def _covered(visit) -> bool:
    day = timezone.localtime(visit.start).date()
    return any(c.is_current_on(day) for c in visit.patient.coverages.all())


def _bill(visit, rng, actor, *, extra=True):
    picks = rng.sample(DIAGNOSES, k=rng.choice([1, 1, 2, 3]))
    for position, code in enumerate(picks, start=1):
        VisitDiagnosis.objects.create(
            appointment=visit,
            position=position,
            code=code,
            description=icd10cm_words(code)[:120],
        )
    services.charges_capture_for_visit(appointment=visit, actor=actor)
    code = visit.appointment_type.billing_code
    if extra:
        for added in EXTRA_CODES.get(code, [])[: rng.choice([0, 1, 2])]:
            services.charge_add(appointment=visit, code=added, actor=actor)


def _history_visits(rng, count: int) -> list[Appointment]:
    """Older completed visits (35-130 days ago) so the aging report has every
    bucket; one provider, one a day at 07:00, before any demo session."""
    provider = Provider.objects.filter(appointment_types__billing_code="99213").first()
    visit_type = AppointmentType.objects.filter(billing_code="99213").first()
    if provider is None or visit_type is None:
        return []
    patients = [
        a.patient
        for a in Appointment.objects.filter(status="completed")
        .select_related("patient")
        .prefetch_related("patient__coverages")
        .order_by("pk")[:200]
    ]
    patients = [p for p in patients if any(c.is_active for c in p.coverages.all())]
    visits = []
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    sample = Appointment.objects.filter(provider=provider).first()
    if sample is None or not patients:
        return []
    location = sample.location
    for index in range(count):
        day = today - timedelta(days=35 + index * 5)
        start = datetime.combine(day, time(7, 0), tzinfo=tz)
        visit = Appointment(
            patient=patients[index % len(patients)],
            provider=provider,
            location=location,
            appointment_type=visit_type,
            start=start,
            end=start + timedelta(minutes=20),
            status="completed",
            completed_at=start + timedelta(minutes=20),
        )
        visit._change_reason = "demo history"
        visit.save()
        visits.append(visit)
    return visits


def _mark_ready(claim, actor) -> bool:
    try:
        services.claim_mark_ready(claim=claim, actor=actor)
    except BillingError:
        return False
    return True


def seed_billing(*, faker, rng, options, stdout) -> None:
    if BillingProvider.objects.exists():
        return
    provider = _setup()
    biller = get_user_model().objects.filter(username="billing").first()
    visits = [
        v
        for v in Appointment.objects.filter(status="completed")
        .select_related("patient", "appointment_type")
        .prefetch_related("patient__coverages")
        .order_by("-start")[:80]
        if v.appointment_type.billing_code and _covered(v)
    ]
    if len(visits) < 30:
        return
    to_review, to_bill = visits[:8], visits[8:60]
    for visit in to_review:
        _bill(visit, rng, None, extra=False)
    claims = []
    for visit in to_bill:
        _bill(visit, rng, biller)
        claims.append(services.claims_create_for_visit(appointment=visit, actor=biller))
    # Two drafts the scrubber stops: a pointer to a missing diagnosis, no diagnosis.
    broken_pointer, no_diagnosis = claims[0], claims[1]
    line = broken_pointer.lines.first()
    services.charge_update(charge=line.charge, actor=biller, diagnosis_pointers="1 4")
    for dx in no_diagnosis.appointment.diagnoses.all():
        services.diagnosis_remove(diagnosis=dx, actor=biller)
    # claims[2:5] stay drafts to review.
    ready, to_submit = claims[5:9], claims[9:]
    for claim in ready + to_submit:
        _mark_ready(claim, biller)
    batch = services.claims_submit(actor=biller, claim_ids=[c.pk for c in to_submit])
    services.batch_transmit(batch_id=batch.pk)
    services.ack_import(
        text=write_999(batch=batch, accepted=True), file_name="demo.999"
    )
    rejected = to_submit[:2]
    results = [(c.claim_number, c not in rejected, "") for c in to_submit]
    results[0] = (rejected[0].claim_number, False, "Subscriber ID not found")
    results[1] = (rejected[1].claim_number, False, "Invalid place of service")
    services.ack_import(text=write_277ca(results=results), file_name="demo.277")
    accepted = [Claim.objects.get(pk=c.pk) for c in to_submit[2:]]
    outcomes = (["paid"] * 14 + ["partial"] * 3 + ["denied"] * 3)[: len(accepted)]
    pairs = list(zip(accepted, outcomes, strict=False))
    remits = [remit_for_claim(c, outcome=o) for c, o in pairs]
    remits.append(
        ClaimRemit(
            patient_control_number="V999999-1",
            status_code="1",
            charge=Decimal("95.00"),
            paid=Decimal("61.00"),
            patient_responsibility=Decimal("0.00"),
            payer_claim_number="UNK0001",
        )
    )
    names = {
        c.claim_number: (
            c.patient.family_name,
            c.patient.given_name,
            c.coverage.member_id,
        )
        for c, _o in pairs
    }
    text = write_835(
        trace_number="EFT20260001",
        payer_name="Acme Health Plans",
        payer_tax_id="987654321",
        payee_name=provider.name,
        payee_npi=provider.npi,
        payment_date=timezone.localdate(),
        claims=remits,
        patient_names=names,
        control_number=501,
    )
    services.remittance_import(text=text, file_name="demo-remit.835", actor=biller)
    denied = [c for c, o in pairs if o == "denied"]
    if denied:
        services.claim_correct(claim=Claim.objects.get(pk=denied[0].pk), actor=biller)
    paid = [c for c, o in pairs if o == "paid"]
    if paid:
        services.claim_close(
            claim=Claim.objects.get(pk=paid[0].pk),
            actor=biller,
            reason="Balance billed to patient",
        )
    _seed_history(rng, biller, provider)
    stdout.write(
        f"  billing: {len(claims)} claims, {len(to_review)} visits to review, "
        f"batch {batch.isa_control_number:09d}, 835 EFT20260001"
    )


def _seed_history(rng, biller, provider) -> None:
    """Older claims: some paid in earlier months, the rest unpaid (aging, unpaid
    queue)."""
    visits = _history_visits(rng, 18)
    claims = []
    for visit in visits:
        _bill(visit, rng, biller, extra=False)
        claim = services.claims_create_for_visit(appointment=visit, actor=biller)
        if _mark_ready(claim, biller):
            claims.append(claim)
    for claim in claims:
        when = timezone.make_aware(
            datetime.combine(claim.service_date + timedelta(days=2), time(9))
        )
        batch = services.claims_submit(actor=biller, claim_ids=[claim.pk], now=when)
        services.batch_transmit(batch_id=batch.pk)
    paid = [Claim.objects.get(pk=c.pk) for c in claims[::3]]
    for number, claim in enumerate(paid):
        remit = remit_for_claim(claim, outcome="paid")
        text = write_835(
            trace_number=f"EFT2025H{number:03d}",
            payer_name=claim.payer.name,
            payer_tax_id="987654321",
            payee_name=provider.name,
            payee_npi=provider.npi,
            payment_date=claim.service_date + timedelta(days=21),
            claims=[remit],
            control_number=600 + number,
        )
        services.remittance_import(text=text, file_name=f"history-{number}.835")
