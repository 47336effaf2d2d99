from decimal import Decimal

import factory
from django.utils import timezone

from medications.models import Medication, MedicationOrder
from tests.clinic.factories import UserFactory
from tests.registration.factories import PatientFactory
from tests.scheduling.factories import LocationFactory


class MedicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Medication

    name = factory.Sequence(lambda n: f"Testamycin {n}")
    form = Medication.Form.TABLET
    strength = Decimal("500")
    unit = "mg"
    routes = factory.LazyFunction(lambda: ["PO"])
    barcode = factory.Sequence(lambda n: f"{60000000000 + n:011d}")
    max_single_dose = Decimal("1000")
    ingredients = factory.LazyAttribute(lambda m: [m.name.lower()])
    is_high_alert = False


class MedicationOrderFactory(factory.django.DjangoModelFactory):
    """An order saved directly (no checks, no schedule): use the services for that."""

    class Meta:
        model = MedicationOrder

    patient = factory.SubFactory(PatientFactory)
    location = factory.SubFactory(LocationFactory, code="unit", name="Infusion Unit")
    medication = factory.SubFactory(MedicationFactory)
    dose = Decimal("500")
    dose_unit = "mg"
    route = "PO"
    frequency = MedicationOrder.Frequency.INTERVAL
    interval_hours = 8
    start_at = factory.LazyFunction(timezone.now)
    ordered_by = factory.SubFactory(UserFactory, role="Clinician")
