"""Billing test data: a billing provider, fee schedule, completed visits, claims."""

import io
import json
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import factory
from django.utils import timezone

from billing.models import BillingProvider, FeeScheduleEntry, VisitDiagnosis
from billing.services import charge_add, claims_create_for_visit
from scheduling.models import Appointment
from tests.registration.factories import CoverageFactory, PatientFactory, PayerFactory
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    ProviderFactory,
    local,
)

_visit_numbers = count()


class BillingProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingProvider

    name = "Riverside Family Clinic"
    npi = "1234567893"
    tax_id = "123456789"
    taxonomy_code = "207Q00000X"
    address_line1 = "100 Main Street"
    city = "Springfield"
    state = "IL"
    postal_code = "627011234"
    contact_name = "Bill Ledger"
    contact_phone = "2175550100"


FEES = [
    ("99213", "Office visit, established, low", "120.00"),
    ("99214", "Office visit, established, moderate", "180.00"),
    ("99204", "Office visit, new, moderate", "250.00"),
    ("36415", "Venipuncture", "15.00"),
    ("96365", "IV infusion, first hour", "300.00"),
    ("J1100", "Dexamethasone 1 mg", "4.50"),
    ("85025", "Complete blood count with differential", "35.00"),
]


def fee_schedule() -> None:
    for code, description, price in FEES:
        FeeScheduleEntry.objects.get_or_create(
            code=code,
            modifiers="",
            defaults={"description": description, "price": Decimal(price)},
        )


def patient_with_address(**kwargs):
    defaults = {
        "address_line1": "12 Elm Street",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62704",
        "sex_at_birth": "F",
        "birth_date": date(1970, 5, 17),
    }
    defaults.update(kwargs)
    return PatientFactory(**defaults)


def completed_visit(
    *,
    patient=None,
    provider=None,
    day: date | None = None,
    code: str = "99213",
    diagnoses=("E11.9",),
) -> Appointment:
    """A completed visit with its charges captured and its diagnoses listed."""
    from billing.services import charges_capture_for_visit

    day = day or timezone.localdate() - timedelta(days=3)
    number = next(_visit_numbers)
    appointment = AppointmentFactory(
        patient=patient or patient_with_address(),
        provider=provider or ProviderFactory(taxonomy_code="207Q00000X"),
        appointment_type=AppointmentTypeFactory(billing_code=code),
        start=local(day, 8 + number % 9, (number * 5) % 60),
        status="completed",
    )
    appointment.end = appointment.start + timedelta(minutes=20)
    appointment.save()
    for position, dx in enumerate(diagnoses, start=1):
        VisitDiagnosis.objects.create(
            appointment=appointment, position=position, code=dx
        )
    charges_capture_for_visit(appointment=appointment)
    return appointment


def billed_claim(
    *,
    patient=None,
    coverage=None,
    payer=None,
    extra_codes=(),
    diagnoses=("E11.9",),
    actor=None,
    day=None,
    **coverage_kwargs,
):
    """A draft primary claim for a completed visit of a covered patient."""
    fee_schedule()
    if not BillingProvider.objects.exists():
        BillingProviderFactory()
    patient = patient or patient_with_address()
    if coverage is None:
        coverage = CoverageFactory(
            patient=patient,
            payer=payer or PayerFactory(),
            group_number="GRP100",
            **coverage_kwargs,
        )
    visit = completed_visit(patient=patient, diagnoses=diagnoses, day=day)
    for code in extra_codes:
        charge_add(appointment=visit, code=code, actor=actor)
    return claims_create_for_visit(appointment=visit, actor=actor)


def pyx12_errors(text: str) -> list[str]:
    """Every error pyx12 4.0 reports for an X12 file (its Python API; the
    ``x12valid`` command exits 1 whatever the outcome)."""
    import pyx12.params
    import pyx12.x12n_document

    params = pyx12.params.ParamsBase()
    out = io.StringIO()
    valid = pyx12.x12n_document.x12n_document(
        param=params,
        src_file=io.StringIO(text),
        fd_997=None,
        fd_html=None,
        fd_xmldoc=None,
        fd_json=out,
    )
    found: list[str] = []

    def walk(node, where=""):
        if isinstance(node, dict):
            for error in node.get("errors", []) or []:
                found.append(f"{where} {error}")
            label = node.get("seg_id") or node.get("id") or where
            for key, value in node.items():
                if key != "errors":
                    walk(value, str(label))
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    walk(json.loads(out.getvalue() or "{}"))
    if not valid and not found:
        found.append("pyx12 reports the file invalid")
    return found
