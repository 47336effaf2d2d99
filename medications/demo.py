"""Demo data of the medications app (called by ``manage.py seed_demo``): a formulary,
the infusion unit with about 20 patients, orders of every frequency kind, and a
schedule around now with doses given, held, refused, due and overdue."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from clinic.management.commands.seed_demo import (
    DEMO_PASSWORD,
    demo_staff,
    demo_users,
)
from clinic.permissions import NURSE
from medications import services
from medications.models import Medication, MedicationOrder, ScheduledDose
from registration.models import Patient
from scheduling.models import Location

# name, rxnorm, form, strength, unit, routes, high-alert, NDC, max, ingredients
FORMULARY = [
    ("Cefazolin", "309090", "injection", "1", "g", ["IV", "IM"], False,
     "00409080501", "2", ["cefazolin"]),
    ("Ceftriaxone", "309092", "injection", "1", "g", ["IV", "IM"], False,
     "00409733201", "2", ["ceftriaxone"]),
    ("Amoxicillin", "308182", "capsule", "500", "mg", ["PO"], False,
     "00093310905", "1000", ["amoxicillin", "penicillin"]),
    ("Acetaminophen", "313782", "tablet", "500", "mg", ["PO", "PR"], False,
     "50580049660", "1000", ["acetaminophen"]),
    ("Ondansetron", "312087", "injection", "4", "mg", ["IV", "IM", "PO"], False,
     "55150012305", "8", ["ondansetron"]),
    ("Morphine sulfate", "892297", "injection", "4", "mg", ["IV", "SC"], True,
     "00409189001", "10", ["morphine"]),
    ("Heparin sodium", "1361615", "injection", "5000", "units", ["SC", "IV"], True,
     "63323054701", "10000", ["heparin"]),
    ("Insulin regular", "311034", "injection", "100", "units", ["SC"], True,
     "00002821501", "50", ["insulin"]),
    ("Iron sucrose", "1359064", "infusion", "200", "mg", ["IV"], False,
     "00517234001", "300", ["iron sucrose"]),
    ("Furosemide", "310429", "tablet", "40", "mg", ["PO", "IV"], False,
     "00054429725", "80", ["furosemide"]),
    ("Sodium chloride 0.9%", "313002", "infusion", "1000", "mL", ["IV"], False,
     "00338004904", "1000", ["sodium chloride"]),
]  # fmt: skip

# (medication, dose, unit, route, frequency, detail, indication)
ORDER_TEMPLATES = [
    ("Cefazolin", "1", "g", "IV", "interval", 8, "Cellulitis"),
    ("Ceftriaxone", "1", "g", "IV", "interval", 24, "Pneumonia"),
    ("Amoxicillin", "500", "mg", "PO", "times", ["08:00", "14:00", "20:00"], "Otitis"),
    ("Acetaminophen", "1000", "mg", "PO", "prn", (6, 4), "Pain or fever"),
    ("Ondansetron", "4", "mg", "IV", "prn", (8, 3), "Nausea"),
    ("Morphine sulfate", "2", "mg", "IV", "prn", (4, 4), "Severe pain"),
    ("Heparin sodium", "5000", "units", "SC", "interval", 12, "DVT prophylaxis"),
    ("Insulin regular", "6", "units", "SC", "times", ["07:30", "11:30", "17:30"],
     "Diabetes"),
    ("Iron sucrose", "200", "mg", "IV", "once", None, "Iron deficiency"),
    ("Furosemide", "40", "mg", "PO", "times", ["09:00"], "Oedema"),
    ("Sodium chloride 0.9%", "1000", "mL", "IV", "once", None, "Hydration"),
]  # fmt: skip

UNIT_PATIENTS = 20


def _witness_nurse():
    user = demo_staff(
        username="nurse2",
        first_name="Will",
        last_name="Witness",
        role=NURSE,
        location=Location.objects.get(code="infusion"),
    )
    return user, DEMO_PASSWORD


def _formulary(admin) -> dict[str, Medication]:
    found = {}
    for name, rx, form, strength, unit, routes, high, ndc, top, parts in FORMULARY:
        medication = Medication.objects.filter(barcode=ndc).first()
        if medication is None:
            medication = services.medication_save(
                medication=Medication(
                    name=name,
                    rxnorm_code=rx,
                    form=form,
                    strength=Decimal(strength),
                    unit=unit,
                    routes=routes,
                    is_high_alert=high,
                    barcode=ndc,
                    max_single_dose=Decimal(top),
                    ingredients=parts,
                ),
                actor=admin,
            )
        found[name] = medication
    return found


def _entry(order, witness_name="", witness_password=""):
    return services.Bedside(
        wristband=order.patient.mrn,
        barcode=order.medication.barcode,
        amount=order.dose,
        unit=order.dose_unit,
        route=order.route,
        site="",
        witness_username=witness_name if order.medication.is_high_alert else "",
        witness_password=witness_password if order.medication.is_high_alert else "",
    )


def seed_medications(*, faker, rng, options, stdout) -> None:
    unit = Location.objects.filter(code="infusion").first()
    if unit is None or MedicationOrder.objects.filter(location=unit).exists():
        return  # no unit, or already seeded: a second run changes nothing
    admin, clinician, nurse = demo_users("admin", "clinician", "nurse")
    witness, witness_password = _witness_nurse()
    formulary = _formulary(admin)
    now = timezone.now()
    start = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    start -= timedelta(hours=12)

    patients = list(Patient.objects.order_by("mrn")[:UNIT_PATIENTS])
    orders = []
    for index, patient in enumerate(patients):
        # Every kind appears: the first templates go round-robin, then random ones.
        picks = {index % len(ORDER_TEMPLATES)}
        picks.update(rng.sample(range(len(ORDER_TEMPLATES)), rng.randint(1, 2)))
        for pick in sorted(picks):
            name, dose, unit_name, route, kind, detail, why = ORDER_TEMPLATES[pick]
            fields = {
                "patient": patient,
                "location": unit,
                "medication": formulary[name],
                "dose": Decimal(dose),
                "dose_unit": unit_name,
                "route": route,
                "frequency": kind,
                "indication": why,
                "actor": clinician,
                "start_at": start + timedelta(hours=rng.randint(0, 10)),
                "now": start,
                "confirm_duplicate": True,
                # Only recorded when a demo allergy matches the drug.
                "allergy_override_reason": "Reviewed: tolerated this drug before",
            }
            if kind == "interval":
                fields["interval_hours"] = detail
            elif kind == "times":
                fields["times_of_day"] = detail
            elif kind == "prn":
                hours, most = detail
                fields["prn_min_interval_hours"] = Decimal(hours)
                fields["prn_max_per_24h"] = most
            orders.append(services.order_create(**fields))

    for order in orders:
        services.schedule_generate(order=order, now=now, since=start)
    _chart_the_past(
        orders, nurse, witness, witness_password, now=now, rng=rng, start=start
    )
    services.overdue_alerts_raise(now=now)
    stdout.write(
        f"Medications: {len(formulary)} drugs, {len(orders)} orders for "
        f"{len(patients)} patients on {unit.name}, "
        f"{ScheduledDose.objects.filter(order__location=unit).count()} doses."
    )


def _chart_the_past(orders, nurse, witness, password, *, now, rng, start):
    """Doses due more than 45 minutes ago are mostly given, some held or refused,
    a few left open (overdue / missed); PRN orders get a dose or two."""
    for order in orders:
        if order.is_prn:
            moment = start + timedelta(hours=rng.randint(1, 4), minutes=7)
            for _time in range(rng.randint(0, 2)):
                if moment < now - timedelta(minutes=30):
                    services.prn_administer(
                        order=order,
                        entry=_entry(order, witness.username, password),
                        actor=nurse,
                        now=moment,
                    )
                moment += timedelta(hours=float(order.prn_min_interval_hours) + 1)
            continue
        for dose in order.doses.filter(due_at__lt=now - timedelta(minutes=45)):
            roll = rng.random()
            if roll < 0.78:
                services.dose_administer(
                    dose=dose,
                    entry=_entry(order, witness.username, password),
                    actor=nurse,
                    now=dose.due_at + timedelta(minutes=rng.randint(-20, 25)),
                )
            elif roll < 0.84:
                services.dose_hold(
                    dose=dose, actor=nurse, reason="Patient off the unit for imaging"
                )
            elif roll < 0.9:
                services.dose_refuse(
                    dose=dose, actor=nurse, reason="Patient declined: nauseous"
                )
